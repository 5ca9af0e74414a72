namespace Reelgate.Core.Catalog;

/// <summary>
/// What an engine needs to generate one video: the validated, defaulted input resolved against
/// the catalog once, at create (effective ratio, exact output size, frame rate, duration, audio,
/// a concrete seed). It is stored with the task; the worker, the engines, the price and the web
/// preview all read this one record, never the raw input again.
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

    /// <summary>The client turned the content check on (the catalog's content-policy switch field).</summary>
    public bool ContentCheck { get; init; }
}
