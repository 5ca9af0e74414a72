using Microsoft.Extensions.Options;
using Reelgate.Core.Limits;
using Reelgate.Server.Options;
using Reelgate.Server.Security;

namespace Reelgate.Server.Api;

/// <summary>
/// The first two checks of every <c>/api/v1</c> call, in the spec's order: authentication
/// (401), then the key tier's rate limit (429 with Retry-After and the limit in data).
/// </summary>
public sealed class ApiCaller(ApiKeyAuthenticator authenticator, IRateLimiter limiter, IOptions<ReelgateOptions> options)
{
    private readonly Dictionary<string, TierLimits> _tiers = options.Value.Tiers;

    /// <summary>The caller and its tier limits, or the error response to send.</summary>
    public async Task<(AuthenticatedKey? Key, TierLimits Tier, IResult? Error)> CheckAsync(HttpContext http, RequestKind kind)
    {
        if (http.Request.Headers.Authorization.Count != 1)
        {
            return (null, Fallback, ApiResults.Error(401, ApiResults.AuthenticationFailed));
        }

        var key = await authenticator.AuthenticateAsync(http.Request.Headers.Authorization.ToString(), http.RequestAborted);
        if (key is null)
        {
            return (null, Fallback, ApiResults.Error(401, ApiResults.AuthenticationFailed));
        }

        var (tier, decision) = await LimitAsync(key, kind, http.RequestAborted);
        if (decision.Unavailable)
        {
            http.Response.Headers.RetryAfter = "1";
            return (key, tier, ApiResults.Error(503, "rate limiter unavailable"));
        }

        if (!decision.Allowed)
        {
            http.Response.Headers.RetryAfter = decision.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var body = new ApiEnvelope<RateLimitData>(429, "rate limit exceeded", new RateLimitData(decision.RetryAfterSeconds, decision.Limit, key.Tier, decision.WindowSeconds));
            return (key, tier, TypedResults.Json(body, ApiJsonContext.Web.ApiEnvelopeRateLimitData, statusCode: 429));
        }

        return (key, tier, null);
    }

    /// <summary>The key's tier and the rate-limit decision for one more call of this kind.</summary>
    public async ValueTask<(TierLimits Tier, RateLimitDecision Decision)> LimitAsync(AuthenticatedKey key, RequestKind kind, CancellationToken ct)
    {
        // A key whose tier was removed from configuration gets the strictest tier, not none.
        var tier = _tiers.GetValueOrDefault(key.Tier) ?? Fallback;
        return (tier, await limiter.TryAcquireAsync(key.KeyId, kind, tier, ct));
    }

    private TierLimits Fallback => _tiers.GetValueOrDefault("free") ?? TierLimits.Defaults()["free"];
}
