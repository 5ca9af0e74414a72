namespace Reelgate.Core.Media;

/// <summary>
/// What inspection found in a media file, by its content (magic bytes, then ffprobe): kind,
/// MIME type, the extension it is stored under (<c>png</c>, <c>mp4</c>...), its size in bytes,
/// pixel size (images and videos; 0 for audio) and duration in seconds (videos and audio; 0 for
/// images).
/// </summary>
public sealed record MediaInfo(MediaKind Kind, string MimeType, string Extension, long Size, int Width, int Height, double DurationSeconds);

/// <summary>An inspection's outcome: the facts, or the reason the file is refused (e.g. <c>is not a JPEG, PNG or WebP image</c>).</summary>
public sealed record MediaCheck(MediaInfo? Info, string? Problem)
{
    public bool Ok => Info is not null;

    public static MediaCheck Refused(string problem) => new(null, problem);

    public static MediaCheck Accepted(MediaInfo info) => new(info, null);
}
