using System.Globalization;
using Reelgate.Core.Accounts;

namespace Reelgate.Server.Web.Components.Shared;

/// <summary>A key's limits in a few words each, for the API Keys page and the admin's account page.</summary>
public static class KeyLimitsText
{
    public static IEnumerable<string> Describe(ApiKeyInfo key, KeySpend? spend, long now)
    {
        var l = key.Limits;
        if (l.CreditLimit is { } limit)
        {
            var period = l.CreditPeriod is { } p && p != KeyCreditPeriod.Total ? "per " + KeyLimits.PeriodName(p) : "in total";
            var credits = string.Create(CultureInfo.InvariantCulture, $"{limit:N0} {(limit == 1 ? "credit" : "credits")} {period}");
            yield return spend is null ? credits : string.Create(CultureInfo.InvariantCulture, $"{credits}, {spend.Spent:N0} spent");
        }

        if (l.AllowedIps is { } ips)
        {
            yield return "from " + string.Join(", ", ips);
        }

        if (l.ExpiresAt is { } at)
        {
            yield return (l.ExpiredAt(now) ? "expired " : "expires ") + DateTimeOffset.FromUnixTimeMilliseconds(at).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        }

        if (l.CreditLimit is null && l.AllowedIps is null && l.ExpiresAt is null)
        {
            yield return "none";
        }
    }

    /// <summary>The spend of each unrevoked key with a credit limit, for <see cref="Describe"/>.</summary>
    public static async Task<Dictionary<string, KeySpend>> SpendAsync(IAccountStore accounts, IEnumerable<ApiKeyInfo> keys, long now, CancellationToken ct)
    {
        var spend = new Dictionary<string, KeySpend>(StringComparer.Ordinal);
        foreach (var k in keys.Where(k => k.Limits.CreditLimit is not null && !k.Revoked))
        {
            spend[k.KeyId] = await KeySpend.OfAsync(accounts, k.KeyId, k.Limits, now, ct);
        }

        return spend;
    }
}
