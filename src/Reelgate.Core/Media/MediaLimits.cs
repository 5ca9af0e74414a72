namespace Reelgate.Core.Media;

/// <summary>
/// The media input limits (docs/inputs.md), one place: images JPEG/PNG/WebP up to 30 MiB,
/// 300-6000 px a side, aspect (width/height) 0.4-2.5; videos MP4/MOV up to 50 MiB, 2-15 s;
/// audio MP3/WAV/M4A up to 15 MiB, at most 15 s.
/// </summary>
public static class MediaLimits
{
    public const long MaxImageBytes = 30L * 1024 * 1024;
    public const long MaxVideoBytes = 50L * 1024 * 1024;
    public const long MaxAudioBytes = 15L * 1024 * 1024;
    public const int MinImageSide = 300;
    public const int MaxImageSide = 6000;
    public const double MinAspect = 0.4;
    public const double MaxAspect = 2.5;
    public const double MinVideoSeconds = 2;
    public const double MaxVideoSeconds = 15;
    public const double MaxAudioSeconds = 15;

    /// <summary>The largest file of a kind; the largest of all when the kind is not known yet.</summary>
    public static long MaxBytes(MediaKind? kind) => kind switch
    {
        MediaKind.Image => MaxImageBytes,
        MediaKind.Video => MaxVideoBytes,
        MediaKind.Audio => MaxAudioBytes,
        _ => MaxVideoBytes,
    };
}
