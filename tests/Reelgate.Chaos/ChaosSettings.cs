namespace Reelgate.Chaos;

/// <summary>How hard to push: the short form runs in <c>make test</c>, the long form by hand.</summary>
public sealed record ChaosSettings
{
    public int Seed { get; init; } = 42;
    public int Tasks { get; init; } = 120;
    public int Clients { get; init; } = 6;
    public int Accounts { get; init; } = 4;
    public int MinKills { get; init; } = 5;
    /// <summary>Seconds over which the clients spread their requests.</summary>
    public int LoadSeconds { get; init; } = 12;

    public int MinUptimeMs { get; init; } = 1500;
    public int MaxExtraUptimeMs { get; init; } = 2500;
    /// <summary>No task ended for this long while some still wait: those are stuck (lease + generous grace).</summary>
    public TimeSpan StallLimit { get; init; } = TimeSpan.FromSeconds(63);
    public required string DataDirectory { get; init; }
}
