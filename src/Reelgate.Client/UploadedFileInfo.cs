namespace Reelgate.Client;

/// <summary>
/// A file uploaded with <see cref="ReelgateClient.UploadAsync(Stream, string, CancellationToken)"/>
/// (<c>POST /api/v1/files</c>): pass <see cref="FileUrl"/> as a media input of a task until
/// <see cref="ExpiresAt"/>.
/// </summary>
public sealed record UploadedFileInfo
{
    /// <summary>The upload's id, <c>file_...</c>.</summary>
    public required string FileId { get; init; }

    /// <summary>The signed URL of the stored file, valid until <see cref="ExpiresAt"/>; use it in a task's input.</summary>
    public required string FileUrl { get; init; }

    /// <summary>The type the server found in the content (never from the name), e.g. <c>image/png</c>.</summary>
    public string MimeType { get; init; } = "";

    /// <summary>Bytes stored.</summary>
    public long FileSize { get; init; }

    /// <summary>Pixels; 0 for audio.</summary>
    public int Width { get; init; }

    /// <summary>Pixels; 0 for audio.</summary>
    public int Height { get; init; }

    /// <summary>Seconds; 0 for images.</summary>
    public double Duration { get; init; }

    /// <summary>When the server deletes the file (its retention).</summary>
    public DateTimeOffset ExpiresAt { get; init; }
}
