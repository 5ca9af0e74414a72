namespace Reelgate.Core.Media;

/// <summary>What a media input or upload holds.</summary>
public enum MediaKind
{
    Image,
    Video,
    Audio,
}
