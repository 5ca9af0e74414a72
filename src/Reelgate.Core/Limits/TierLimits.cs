namespace Reelgate.Core.Limits;

/// <summary>One tier's numbers (configuration <c>Reelgate:Tiers:{name}</c>); null means no limit.</summary>
public sealed class TierLimits
{
    public int? CreatePerSecond { get; set; }
    public int? CreatePerMinute { get; set; }
    public int? ReadPerSecond { get; set; }
    public int? ReadPerMinute { get; set; }
    public int? ActiveTasks { get; set; }

    /// <summary>The spec's default tiers, plus <c>unlimited</c> for trusted internal keys and benchmarks.</summary>
    public static Dictionary<string, TierLimits> Defaults() => new(StringComparer.Ordinal)
    {
        ["free"] = New(1, 10, 2, 60, 1),
        ["basic"] = New(5, 180, 20, 1000, 5),
        ["standard"] = New(10, 600, 50, 3000, 15),
        ["pro"] = New(20, 1200, 100, 6000, 30),
        ["ultra"] = New(50, 3000, 200, 12000, 80),
        ["enterprise"] = New(100, 6000, 500, 30000, 300),
        ["unlimited"] = new TierLimits(),
    };

    private static TierLimits New(int cs, int cm, int rs, int rm, int active) => new()
    {
        CreatePerSecond = cs,
        CreatePerMinute = cm,
        ReadPerSecond = rs,
        ReadPerMinute = rm,
        ActiveTasks = active,
    };
}
