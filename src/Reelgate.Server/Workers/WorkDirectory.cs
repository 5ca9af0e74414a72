namespace Reelgate.Server.Workers;

/// <summary>
/// <c>{Reelgate:DataDirectory}/work</c>: where engines write a claim's video, poster and last
/// frame before they go to the result store, where the claim's media inputs are fetched to (a
/// directory per claim), and where the benchmark engine keeps its template; the one place that
/// builds these paths. Files are named by task and claim, so a second claim of a task never
/// writes over a first one that is still being killed. Nothing here is worth keeping: a worker
/// start deletes what a crashed process left.
/// </summary>
public sealed class WorkDirectory(string dataDirectory)
{
    public string Path { get; } = System.IO.Path.Combine(dataDirectory, "work");

    /// <summary>The video and poster paths of one claim of a task; creates the directory.</summary>
    public (string Video, string Poster) ClaimFiles(string taskId, int claim)
    {
        Directory.CreateDirectory(Path);
        var stem = System.IO.Path.Combine(Path, $"{taskId}-{claim}");
        return (stem + ".mp4", stem + ".jpg");
    }

    /// <summary>Where the engine writes a claim's last frame (PNG) when the spec asks for it.</summary>
    public string ClaimLastFrame(string taskId, int claim) => System.IO.Path.Combine(Path, $"{taskId}-{claim}.lastframe.png");

    /// <summary>The directory a claim's media inputs are fetched and checked in (made by the input preparer).</summary>
    public string ClaimInputs(string taskId, int claim) => System.IO.Path.Combine(Path, $"{taskId}-{claim}.inputs");

    /// <summary>Where a sprite sheet is made (and its video copied, from an object store); creates the directory.</summary>
    public (string Video, string Sheet) SpriteSheetFiles(string taskId)
    {
        Directory.CreateDirectory(Path);
        var stem = System.IO.Path.Combine(Path, $"{taskId}-sprites-{Guid.NewGuid():N}");
        return (stem + ".mp4", stem + ".jpg");
    }

    /// <summary>Removes partial outputs and input directories a crashed process left behind.</summary>
    public void DeleteLeftovers()
    {
        if (!Directory.Exists(Path))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(Path))
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // In use by another process on the same data directory; leave it.
            }
        }

        foreach (var directory in Directory.EnumerateDirectories(Path))
        {
            Inputs.InputPreparer.DeleteDirectory(directory);
        }
    }
}
