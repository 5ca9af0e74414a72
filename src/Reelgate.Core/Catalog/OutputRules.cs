namespace Reelgate.Core.Catalog;

/// <summary>
/// Maps the model's input fields onto the facts an engine needs, and holds the output size
/// table (<c>Sizes[resolution][ratio] = "WIDTHxHEIGHT"</c>).
/// </summary>
public sealed class OutputRules
{
    public required string PromptField { get; init; }
    public required string RatioField { get; init; }
    public required string ResolutionField { get; init; }
    public required string DurationField { get; init; }
    public string? AudioField { get; init; }
    public string? SeedField { get; init; }
    public string? WebSearchField { get; init; }

    /// <summary>The ratio value meaning "the engine picks".</summary>
    public string? AdaptiveValue { get; init; }

    /// <summary>The ratio the built-in engine picks for <see cref="AdaptiveValue"/>.</summary>
    public string? AdaptiveDefault { get; init; }

    /// <summary>Largest seed the model takes; a random seed is drawn from 0..this.</summary>
    public long MaxSeed { get; init; } = uint.MaxValue;

    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Sizes { get; init; }

    /// <summary>The boolean field asking for the video's last frame as a PNG (free).</summary>
    public string? ReturnLastFrameField { get; init; }
}
