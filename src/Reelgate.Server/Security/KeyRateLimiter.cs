using Microsoft.Extensions.Options;
using Reelgate.Core.Limits;
using Reelgate.Server.Options;

namespace Reelgate.Server.Security;

/// <summary>
/// The rate limit of an authenticated key: its tier's limits and one more call of a kind
/// counted against them. Every surface (the <c>/api/v1</c> filter, MCP, the task creator) asks
/// here, so a key has one budget however it calls.
/// </summary>
public sealed class KeyRateLimiter(IRateLimiter limiter, IOptions<ReelgateOptions> options)
{
    private readonly Dictionary<string, TierLimits> _tiers = options.Value.Tiers;

    /// <summary>The key's tier limits. A key whose tier was removed from configuration gets the strictest tier, not none.</summary>
    public TierLimits TierOf(AuthenticatedKey key) => _tiers.GetValueOrDefault(key.Tier) ?? Fallback;

    /// <summary>The key's tier and the decision for one more call of this kind (a refused call is not counted).</summary>
    public async ValueTask<(TierLimits Tier, RateLimitDecision Decision)> AcquireAsync(AuthenticatedKey key, RequestKind kind, CancellationToken ct)
    {
        var tier = TierOf(key);
        return (tier, await limiter.TryAcquireAsync(key.KeyId, kind, tier, ct));
    }

    private TierLimits Fallback => _tiers.GetValueOrDefault("free") ?? TierLimits.Defaults()["free"];
}
