namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// One shot of a reference-to-video storyboard: a reference image or video (its local file),
/// how many frames the shot lasts (transitions included), the first frame taken from a video
/// (0 for an image), and the camera move over it.
/// </summary>
public sealed record StoryboardShot(string Path, bool IsVideo, int Frames, int StartFrame, CameraMove Move);
