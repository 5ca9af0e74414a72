namespace Reelgate.Core.Media;

/// <summary>
/// One accepted file format, as its magic bytes name it: the kind it is, its MIME type, the
/// extension it is stored under and the name error messages use. The set is closed: JPEG, PNG,
/// WebP, MP4, MOV, MP3, WAV and M4A (docs/inputs.md).
/// </summary>
public sealed record MediaFormat(string Name, MediaKind Kind, string MimeType, string Extension)
{
    public static readonly MediaFormat Png = new("PNG", MediaKind.Image, "image/png", "png");
    public static readonly MediaFormat Jpeg = new("JPEG", MediaKind.Image, "image/jpeg", "jpg");
    public static readonly MediaFormat WebP = new("WebP", MediaKind.Image, "image/webp", "webp");
    public static readonly MediaFormat Mp4 = new("MP4", MediaKind.Video, "video/mp4", "mp4");
    public static readonly MediaFormat Mov = new("MOV", MediaKind.Video, "video/quicktime", "mov");
    public static readonly MediaFormat Mp3 = new("MP3", MediaKind.Audio, "audio/mpeg", "mp3");
    public static readonly MediaFormat Wav = new("WAV", MediaKind.Audio, "audio/wav", "wav");
    public static readonly MediaFormat M4a = new("M4A", MediaKind.Audio, "audio/mp4", "m4a");

    /// <summary>What a refusal says when the content is none of the formats of <paramref name="expected"/> (null: of any kind).</summary>
    public static string NotOfKind(MediaKind? expected) => expected switch
    {
        MediaKind.Image => "is not a JPEG, PNG or WebP image",
        MediaKind.Video => "is not an MP4 or MOV video",
        MediaKind.Audio => "is not an MP3, WAV or M4A audio file",
        _ => "is not a JPEG, PNG or WebP image, an MP4 or MOV video, or an MP3, WAV or M4A audio",
    };

    /// <summary>How the format reads in a message (MP4, MOV, MP3 and M4A start with the sound "em"): <c>a PNG image</c>, <c>an MP4 video</c>, <c>an M4A audio file</c>.</summary>
    public string Described => (Name[0] == 'M' ? "an " : "a ") + Name + Kind switch
    {
        MediaKind.Image => " image",
        MediaKind.Video => " video",
        _ => " audio file",
    };
}
