using Reelgate.Core.Limits;
using Reelgate.Server.Security;

namespace Reelgate.Server.Api;

/// <summary>
/// Who called an <c>/api/v1</c> endpoint and with which tier's limits: set by
/// <see cref="ApiKeyFilter"/> as a request feature once the key is authenticated and the call is
/// within its rate limit, so handlers only run for admitted callers.
/// </summary>
public sealed record ApiCaller(AuthenticatedKey Key, TierLimits Tier)
{
    /// <summary>The caller of a request that passed <see cref="ApiKeyFilter"/>.</summary>
    public static ApiCaller Of(HttpContext http) =>
        http.Features.Get<ApiCaller>() ?? throw new InvalidOperationException("an /api/v1 endpoint is mapped without ApiKeyFilter");
}
