namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// One content item of a create as the emulator received it, for tests that check what an adapter
/// sent: <see cref="Type"/> is <c>text</c>, <c>image_url</c>, <c>video_url</c> or <c>audio_url</c>;
/// <see cref="Role"/> the role as sent (null when the item had none, e.g. text);
/// <see cref="EffectiveRole"/> the role the emulator applied (an image without a role in a request
/// with one image is the first frame); <see cref="Url"/> the media URL exactly as sent (a data:
/// URI included), or <see cref="Text"/> for the text item.
/// </summary>
public sealed record ArkContentItem(string Type, string? Role, string? EffectiveRole, string? Url, string? Text);
