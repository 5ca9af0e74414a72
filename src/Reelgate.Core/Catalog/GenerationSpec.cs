namespace Reelgate.Core.Catalog;

/// <summary>
/// What an engine needs to generate one video: the validated, defaulted input resolved
/// against the catalog (effective ratio, exact output size, frame rate, a concrete seed).
/// </summary>
public sealed record GenerationSpec(
    string Model,
    string Prompt,
    string Ratio,
    string Resolution,
    int Width,
    int Height,
    int Fps,
    int DurationSeconds,
    bool Audio,
    long Seed,
    bool WebSearch)
{
    public int FrameCount => Fps * DurationSeconds;
}
