using System.Data.Common;
using Reelgate.Core.Accounts;

namespace Reelgate.Data;

/// <summary>The api_keys columns that describe a key (never its hash) and their mapping to <see cref="ApiKeyInfo"/>, the same on every backend.</summary>
internal static class KeyColumns
{
    /// <summary>Selected from <c>api_keys k</c>.</summary>
    public const string List = "k.id, k.prefix, k.name, k.tier, k.revoked, k.credit_limit, k.credit_period, k.allowed_ips, k.expires_at, k.created_at, k.account_id";

    /// <summary>The limits' columns, in <see cref="LimitsAt"/>'s order.</summary>
    public const string Limits = "k.credit_limit, k.credit_period, k.allowed_ips, k.expires_at";

    public static (string AccountId, ApiKeyInfo Key) Read(DbDataReader r) =>
        (r.GetString(10), new ApiKeyInfo(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetBoolean(4))
        {
            Limits = LimitsAt(r, 5),
            CreateTime = r.GetInt64(9),
        });

    /// <summary>The four <see cref="Limits"/> columns starting at <paramref name="first"/>.</summary>
    public static KeyLimits LimitsAt(DbDataReader r, int first) => KeyLimits.FromColumns(
        r.IsDBNull(first) ? null : r.GetInt64(first),
        r.IsDBNull(first + 1) ? null : r.GetString(first + 1),
        r.IsDBNull(first + 2) ? null : r.GetString(first + 2),
        r.IsDBNull(first + 3) ? null : r.GetInt64(first + 3));

    /// <summary>The stored value of a period, or null.</summary>
    public static string? Period(KeyLimits limits) => limits.CreditPeriod is { } p ? KeyLimits.PeriodName(p) : null;

}
