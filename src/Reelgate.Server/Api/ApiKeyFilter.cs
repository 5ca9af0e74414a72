using Reelgate.Core.Limits;
using Reelgate.Server.Security;

namespace Reelgate.Server.Api;

/// <summary>
/// The first two checks of every <c>/api/v1</c> call, in the spec's order: authentication (401,
/// also for a key used after its <c>expiresAt</c> or from an address its <c>allowedIps</c> omit),
/// then the key tier's rate limit for the call's kind (429 with Retry-After and the limit in data;
/// 503 when a fail-closed shared limiter cannot be asked). An admitted call's key and tier are set
/// as the <see cref="ApiCaller"/> feature. Runs before any handler reads the body.
/// </summary>
public sealed class ApiKeyFilter(RequestKind kind) : IEndpointFilter
{
    /// <summary>For calls that count against the tier's createTask budget (create, cancel).</summary>
    public static readonly ApiKeyFilter Create = new(RequestKind.Create);

    /// <summary>For calls that count against the tier's read budget.</summary>
    public static readonly ApiKeyFilter Read = new(RequestKind.Read);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var (key, refusal) = await http.RequestServices.GetRequiredService<ApiKeyAuthenticator>().CheckAsync(http);
        if (key is null)
        {
            return ApiResults.Error(401, refusal);
        }

        var (tier, decision) = await http.RequestServices.GetRequiredService<KeyRateLimiter>().AcquireAsync(key, kind, http.RequestAborted);
        if (!decision.Allowed)
        {
            return ApiResults.RateLimited(http, decision, key.Tier);
        }

        http.Features.Set(new ApiCaller(key, tier));
        return await next(context);
    }
}
