namespace Reelgate.Core.Media;

/// <summary>
/// The part a media input plays in a generation (the ModelArk content-item roles): the first
/// or last frame of an image-to-video, or a reference image, video or audio.
/// </summary>
public static class MediaRoles
{
    public const string FirstFrame = "first_frame";
    public const string LastFrame = "last_frame";
    public const string ReferenceImage = "reference_image";
    public const string ReferenceVideo = "reference_video";
    public const string ReferenceAudio = "reference_audio";

    public static readonly IReadOnlyList<string> All = [FirstFrame, LastFrame, ReferenceImage, ReferenceVideo, ReferenceAudio];

    /// <summary>The kind of file a role takes.</summary>
    public static MediaKind KindOf(string role) => role switch
    {
        ReferenceVideo => MediaKind.Video,
        ReferenceAudio => MediaKind.Audio,
        FirstFrame or LastFrame or ReferenceImage => MediaKind.Image,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown media role"),
    };

    public static bool IsFrame(string role) => role is FirstFrame or LastFrame;
}
