namespace Reelgate.Server.Uploads;

/// <summary>
/// An upload's bytes in a temporary file of the work directory while it is checked, or the fact
/// that it passed the size limit (then nothing was kept). Disposing it deletes the file unless
/// the result store has taken it: a refused file leaves nothing on disk.
/// </summary>
public sealed class SpooledFile : IDisposable
{
    private SpooledFile(string? path, long size)
    {
        Path = path;
        Size = size;
    }

    /// <summary>The temporary file, or null when the upload was larger than <see cref="UploadService.MaxBytes"/>.</summary>
    public string? Path { get; }

    public long Size { get; }

    public bool TooLarge => Path is null;

    public static SpooledFile Kept(string path, long size) => new(path, size);

    public static SpooledFile Oversized() => new(null, -1);

    public void Dispose()
    {
        if (Path is not null)
        {
            File.Delete(Path); // absent (moved into the store) is not an error
        }
    }
}
