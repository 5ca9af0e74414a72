using Reelgate.Core.Accounts;
using Reelgate.Server.OpenApi;
using Reelgate.Server.Security;

namespace Reelgate.Server.Api;

/// <summary>
/// <c>GET /api/v1/keys/self</c>: the calling key's own limits (credit limit and period, address
/// allowlist, expiry), what it has spent in the period and the room left, and the client address
/// the server saw (what to put in <c>allowedIps</c>). Rate-limited as a read.
/// </summary>
public static class KeyEndpoints
{
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1").WithTags("Jobs").MapGet("/keys/self", SelfAsync)
            .AddEndpointFilter(ApiKeyFilter.Read)
            .Documented<KeySelfData>("The calling key: its limits, what it has spent in its credit period and the room left, the client address seen", 401, 429, 500, 503);
        return app;
    }

    private static async Task<IResult> SelfAsync(HttpContext http, IAccountStore accounts, ApiKeyAuthenticator authenticator, TimeProvider time)
    {
        var caller = ApiCaller.Of(http).Key;
        if (await accounts.GetKeyAsync(caller.KeyId, http.RequestAborted) is not { } found)
        {
            return ApiResults.Error(401, ApiResults.AuthenticationFailed); // deleted since the cache verified it
        }

        var k = found.Key;
        var spend = await KeySpend.OfAsync(accounts, k.KeyId, k.Limits, time.GetUtcNow().ToUnixTimeMilliseconds(), http.RequestAborted);
        var data = KeyData.From(found.AccountId, k);
        return ApiResults.Ok(new KeySelfData(k.KeyId, k.Prefix, k.Name, k.Tier, data.CreditLimit, data.CreditPeriod, data.AllowedIps, data.ExpiresAt,
            spend.Spent, spend.PeriodStart, spend.PeriodEnd, spend.Room, authenticator.ClientOf(http)?.ToString()), ApiJsonContext.Web.ApiEnvelopeKeySelfData);
    }
}
