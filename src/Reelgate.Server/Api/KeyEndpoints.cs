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
        var data = await SelfDataAsync(accounts, ApiCaller.Of(http).Key.KeyId, time, authenticator.ClientOf(http)?.ToString(), http.RequestAborted);
        return data is null
            ? ApiResults.Error(401, ApiResults.AuthenticationFailed) // deleted since the cache verified it
            : ApiResults.Ok(data, ApiJsonContext.Web.ApiEnvelopeKeySelfData);
    }

    /// <summary>A key's own view (limits from the key row, spend in its period, room), for REST and MCP's get_key; null when the key is gone.</summary>
    public static async Task<KeySelfData?> SelfDataAsync(IAccountStore accounts, string keyId, TimeProvider time, string? clientIp, CancellationToken ct)
    {
        if (await accounts.GetKeyAsync(keyId, ct) is not { } found)
        {
            return null;
        }

        var k = found.Key;
        var spend = await KeySpend.OfAsync(accounts, k.KeyId, k.Limits, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        var d = KeyData.From(found.AccountId, k);
        return new KeySelfData(k.KeyId, k.Prefix, k.Name, k.Tier, d.CreditLimit, d.CreditPeriod, d.AllowedIps, d.ExpiresAt,
            spend.Spent, spend.PeriodStart, spend.PeriodEnd, spend.Room, clientIp);
    }
}
