using Reelgate.Core.Accounts;

namespace Reelgate.Server.Api;

/// <summary>
/// A key's limits as the admin API and the web app accept them (issue 23), checked in one place:
/// <c>creditLimit</c> (0 to 10^15 credits) with <c>creditPeriod</c> (<c>day</c>, <c>month</c> in UTC,
/// or <c>total</c>), <c>allowedIps</c> (1 to 100 addresses or CIDR ranges, stored canonical),
/// <c>expiresAt</c> (Unix ms, in the future). <c>null</c> clears a limit; clearing the credit
/// limit clears its period.
/// </summary>
public static class KeyLimitsInput
{
    /// <summary>The fields of a PATCH, in the order the docs list them.</summary>
    public static readonly string[] Fields = ["creditLimit", "creditPeriod", "allowedIps", "expiresAt"];

    /// <summary>Checks the requested limits; the limits to store, or a 422 message.</summary>
    public static (KeyLimits? Limits, string? Error) Validate(long? creditLimit, string? creditPeriod, IReadOnlyList<string>? allowedIps, long? expiresAt, long now)
    {
        if (creditLimit is < 0 or > Credits.MaxBalance)
        {
            return (null, $"validation error: creditLimit must be a whole number of credits from 0 to {Credits.MaxBalance}, or null for no limit");
        }

        KeyCreditPeriod? period = null;
        if (creditPeriod is not null && (period = KeyLimits.ParsePeriod(creditPeriod)) is null)
        {
            return (null, "validation error: creditPeriod must be day, month (UTC) or total");
        }

        if (creditLimit is not null && period is null)
        {
            return (null, "validation error: creditPeriod (day, month or total) is required with creditLimit");
        }

        IReadOnlyList<string>? ips = null;
        if (allowedIps is not null)
        {
            if (allowedIps.Count is 0 or > KeyLimits.MaxAllowedIps)
            {
                return (null, $"validation error: allowedIps must list 1 to {KeyLimits.MaxAllowedIps} addresses or CIDR ranges, or be null for any address");
            }

            var (canonical, invalid) = KeyLimits.NormalizeAllowedIps(allowedIps.Select(ip => ip ?? ""));
            if (canonical is null)
            {
                return (null, $"validation error: allowedIps has '{Shorten(invalid!)}', which is not an IPv4/IPv6 address or a CIDR range such as 203.0.113.0/24");
            }

            ips = canonical;
        }

        if (expiresAt is { } at && at <= now)
        {
            return (null, "validation error: expiresAt must be a time in the future (Unix milliseconds), or null for never");
        }

        return (new KeyLimits(creditLimit, creditLimit is null ? null : period, ips, expiresAt), null);
    }

    /// <summary>
    /// A PATCH over the key's current limits: a field present replaces (null clears), a field
    /// absent keeps (an expiry already passed included). Unknown fields are refused, so a misspelt
    /// limit is not silently ignored.
    /// </summary>
    public static (KeyLimits? Limits, string? Error) Patch(KeyLimits current, IReadOnlyList<string> fields, KeyLimitsRequest typed, long now)
    {
        if (fields.FirstOrDefault(f => !Fields.Contains(f, StringComparer.Ordinal)) is { } unknown)
        {
            return (null, $"validation error: unknown field '{Shorten(unknown)}'; a key's limits are {string.Join(", ", Fields)}");
        }

        bool Has(string name) => fields.Contains(name, StringComparer.Ordinal);
        var limit = Has("creditLimit") ? typed.CreditLimit : current.CreditLimit;
        var period = Has("creditPeriod") ? typed.CreditPeriod : current.CreditPeriod is { } p ? KeyLimits.PeriodName(p) : null;
        var ips = Has("allowedIps") ? typed.AllowedIps : current.AllowedIps;
        if (Has("expiresAt"))
        {
            return Validate(limit, period, ips, typed.ExpiresAt, now);
        }

        var (limits, error) = Validate(limit, period, ips, null, now);
        return (limits is null ? null : limits with { ExpiresAt = current.ExpiresAt }, error);
    }

    /// <summary>A 422 message as a sentence for the web app (without the API's "validation error: " prefix).</summary>
    public static string Sentence(string error)
    {
        var text = error.StartsWith("validation error: ", StringComparison.Ordinal) ? error["validation error: ".Length..] : error;
        return char.ToUpperInvariant(text[0]) + text[1..] + ".";
    }

    private static string Shorten(string s) => s.Length <= 64 ? s : s[..64] + "...";
}
