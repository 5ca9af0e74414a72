namespace Reelgate.Engines.BuiltIn;

/// <summary>Where the stills cut from a render go: the poster JPEG and the last-frame PNG (null: not wanted).</summary>
public sealed record FrameOutputs(string? ThumbnailPath, string? LastFramePath);
