using System.Net;

namespace Reelgate.Core.Accounts;

/// <summary>The period a key's credit limit counts over: a UTC calendar day or month, or the key's whole life.</summary>
public enum KeyCreditPeriod
{
    Day,
    Month,
    Total,
}

/// <summary>
/// What an account owner may restrict a key to (issue 23): at most <see cref="CreditLimit"/>
/// credits spent per <see cref="CreditPeriod"/> (charges minus refunds of the key's tasks created
/// in the period), requests only from <see cref="AllowedIps"/> (addresses and CIDR ranges), and
/// none at or after <see cref="ExpiresAt"/> (Unix ms). A null field is no limit.
/// </summary>
public sealed record KeyLimits(long? CreditLimit, KeyCreditPeriod? CreditPeriod, IReadOnlyList<string>? AllowedIps, long? ExpiresAt)
{
    /// <summary>No limit of any kind.</summary>
    public static readonly KeyLimits None = new(null, null, null, null);

    /// <summary>The most addresses or ranges one key may list.</summary>
    public const int MaxAllowedIps = 100;

    /// <summary>The UTC day number (days since 1970-01-01) of a time in Unix ms: how a key's spend is kept per day.</summary>
    public static long DayOf(long ms) => Math.DivRem(ms, 86_400_000L, out var rest) - (rest < 0 ? 1 : 0);

    /// <summary>The UTC start (Unix ms) of the period that <paramref name="now"/> falls in: day, month, or 0 for the key's whole life.</summary>
    public static long PeriodStart(KeyCreditPeriod period, long now)
    {
        var t = DateTimeOffset.FromUnixTimeMilliseconds(now);
        return period switch
        {
            KeyCreditPeriod.Day => new DateTimeOffset(t.Year, t.Month, t.Day, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(),
            KeyCreditPeriod.Month => new DateTimeOffset(t.Year, t.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(),
            _ => 0,
        };
    }

    /// <summary>The start of the period after the one <paramref name="now"/> falls in (when the room comes back); null for <see cref="KeyCreditPeriod.Total"/>.</summary>
    public static long? PeriodEnd(KeyCreditPeriod period, long now)
    {
        var start = DateTimeOffset.FromUnixTimeMilliseconds(PeriodStart(period, now));
        return period switch
        {
            KeyCreditPeriod.Day => start.AddDays(1).ToUnixTimeMilliseconds(),
            KeyCreditPeriod.Month => start.AddMonths(1).ToUnixTimeMilliseconds(),
            _ => null,
        };
    }

    /// <summary>The wire and storage name of a period (<c>day</c>, <c>month</c>, <c>total</c>).</summary>
    public static string PeriodName(KeyCreditPeriod period) => period switch
    {
        KeyCreditPeriod.Day => "day",
        KeyCreditPeriod.Month => "month",
        _ => "total",
    };

    public static KeyCreditPeriod? ParsePeriod(string? name) => name switch
    {
        "day" => KeyCreditPeriod.Day,
        "month" => KeyCreditPeriod.Month,
        "total" => KeyCreditPeriod.Total,
        _ => null,
    };

    /// <summary>
    /// Parses one allowlist entry: an IPv4 or IPv6 address (a single-address range) or a CIDR range,
    /// returned in canonical form (the network address and prefix). False for anything else,
    /// including a range whose address has bits set beyond its prefix (<c>10.0.0.1/8</c>), which is
    /// almost always a typo.
    /// </summary>
    public static bool TryParseRange(string text, out IPNetwork range)
    {
        range = default;
        var s = text.Trim();
        if (s.Length == 0 || s.Length > 64)
        {
            return false;
        }

        if (!s.Contains('/'))
        {
            if (!IPAddress.TryParse(s, out var address) || s.Contains('%'))
            {
                return false;
            }

            address = Canonical(address);
            range = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        // IPNetwork accepts host bits past the prefix (and drops them); here they are refused.
        var slash = s.IndexOf('/');
        return IPNetwork.TryParse(s, out range)
            && IPAddress.TryParse(s[..slash], out var written)
            && Canonical(written).Equals(range.BaseAddress);
    }

    /// <summary>The canonical text of each entry, or the first entry that is not an address or range.</summary>
    public static (IReadOnlyList<string>? Canonical, string? Invalid) NormalizeAllowedIps(IEnumerable<string> entries)
    {
        var list = new List<string>();
        foreach (var entry in entries)
        {
            if (!TryParseRange(entry, out var range))
            {
                return (null, entry);
            }

            var text = range.ToString();
            if (!list.Contains(text, StringComparer.Ordinal))
            {
                list.Add(text);
            }
        }

        return (list, null);
    }

    /// <summary>Whether <paramref name="address"/> is in the allowlist (true when there is none). IPv4-mapped IPv6 addresses count as IPv4.</summary>
    public bool Allows(IPAddress? address)
    {
        if (AllowedIps is null)
        {
            return true;
        }

        if (address is null)
        {
            return false;
        }

        address = Canonical(address);
        foreach (var entry in AllowedIps)
        {
            if (TryParseRange(entry, out var range) && range.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the key has expired at <paramref name="now"/> (Unix ms).</summary>
    public bool ExpiredAt(long now) => ExpiresAt is { } at && now >= at;

    /// <summary>The allowlist as stored (one column): entries separated by spaces; null for none.</summary>
    public string? AllowedIpsColumn => AllowedIps is null ? null : string.Join(' ', AllowedIps);

    /// <summary>Reads the stored columns back.</summary>
    public static KeyLimits FromColumns(long? creditLimit, string? creditPeriod, string? allowedIps, long? expiresAt) =>
        new(creditLimit, ParsePeriod(creditPeriod), allowedIps?.Split(' ', StringSplitOptions.RemoveEmptyEntries), expiresAt);

    private static IPAddress Canonical(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
