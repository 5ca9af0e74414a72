namespace Reelgate.Chaos;

/// <summary>The definite answer one logical createTask request got (after retries).</summary>
public sealed record Outcome(string RequestId, string AccountId, int Status, string? TaskId, long Cost, bool Nsfw)
{
    public bool ReplayMismatch { get; init; }
}
