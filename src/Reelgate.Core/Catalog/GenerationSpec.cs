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

    /// <summary>The media inputs in the catalog's field order (first/last frame, references); empty for text-to-video.</summary>
    public IReadOnlyList<Media.MediaInput> Media { get; init; } = [];

    /// <summary>The client asked for the generated video's last frame as a PNG (<c>lastFrameUrl</c> in resultJson).</summary>
    public bool ReturnLastFrame { get; init; }

    /// <summary>Value equality, the media inputs compared item by item (a record compares lists by reference).</summary>
    public bool Equals(GenerationSpec? other) =>
        other is not null
        && (Model, Prompt, Ratio, Resolution, Width, Height, Fps, DurationSeconds, Audio, Seed, WebSearch, ContentCheck, ReturnLastFrame)
            == (other.Model, other.Prompt, other.Ratio, other.Resolution, other.Width, other.Height, other.Fps, other.DurationSeconds, other.Audio, other.Seed, other.WebSearch, other.ContentCheck, other.ReturnLastFrame)
        && Media.SequenceEqual(other.Media);

    public override int GetHashCode() => HashCode.Combine(Model, Prompt, Seed, Width, Height, DurationSeconds, Media.Count);
}
