namespace Reelgate.Core.Media;

/// <summary>
/// Checks a media file by its content, never by its name: the magic bytes must be one of the
/// kind's formats, the header's declared size is checked before anything decodes it, then a
/// probe confirms the file decodes as that format, and the limits of <see cref="MediaLimits"/>
/// hold. The problem text reads after the input's name: <c>input.image_urls[0] is not a JPEG,
/// PNG or WebP image</c>.
/// </summary>
public interface IMediaInspector
{
    /// <summary>Inspects a local file expected to be of <paramref name="expected"/> kind; null kind accepts any.</summary>
    Task<MediaCheck> InspectAsync(string path, MediaKind? expected, CancellationToken ct);
}
