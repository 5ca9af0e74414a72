namespace Reelgate.Engines.BuiltIn;

/// <summary>The local files of an image-to-video: the first image, an optional last image and an optional reference audio.</summary>
public sealed record ImageToVideoInputs(string FirstImage, string? LastImage, string? Audio);
