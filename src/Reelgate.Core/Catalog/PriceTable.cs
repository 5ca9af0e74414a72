namespace Reelgate.Core.Catalog;

/// <summary>
/// cost = rate(value of <see cref="RateField"/>) x value of <see cref="DurationField"/>,
/// times <see cref="AudioMultiplier"/> when the audio field is true, rounded up to a whole credit.
/// </summary>
public sealed class PriceTable
{
    public required string RateField { get; init; }
    public required IReadOnlyDictionary<string, long> RatesPerSecond { get; init; }
    public required string DurationField { get; init; }
    public string? AudioField { get; init; }
    public decimal AudioMultiplier { get; init; } = 1.0m;
}
