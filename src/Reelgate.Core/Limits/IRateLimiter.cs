namespace Reelgate.Core.Limits;

/// <summary>Per-key rate limiting over a 1-second and a 60-second window.</summary>
public interface IRateLimiter
{
    /// <summary>Counts the request if both windows allow it; a refused request is not counted.</summary>
    ValueTask<RateLimitDecision> TryAcquireAsync(string keyId, RequestKind kind, TierLimits tier, CancellationToken ct);
}
