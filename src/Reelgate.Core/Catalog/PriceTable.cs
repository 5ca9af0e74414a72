namespace Reelgate.Core.Catalog;

/// <summary>
/// cost = <see cref="RatesPerSecond"/>[the spec's resolution] x the spec's duration in seconds,
/// times <see cref="AudioMultiplier"/> when the spec has audio, rounded up to a whole credit.
/// Which input fields carry resolution, duration and audio is said once, in <see cref="OutputRules"/>.
/// </summary>
public sealed class PriceTable
{
    public required IReadOnlyDictionary<string, long> RatesPerSecond { get; init; }
    public decimal AudioMultiplier { get; init; } = 1.0m;

    /// <summary>Accepted from catalog files written before pricing read the output fields; must name <see cref="OutputRules.ResolutionField"/>.</summary>
    public string? RateField { get; init; }

    /// <summary>As <see cref="RateField"/>; must name <see cref="OutputRules.DurationField"/>.</summary>
    public string? DurationField { get; init; }

    /// <summary>As <see cref="RateField"/>; must name <see cref="OutputRules.AudioField"/>.</summary>
    public string? AudioField { get; init; }
}
