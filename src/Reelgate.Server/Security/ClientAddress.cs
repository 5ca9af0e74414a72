using System.Net;
using Reelgate.Core.Accounts;

namespace Reelgate.Server.Security;

/// <summary>
/// The client's address for a key's allowlist: the peer as Kestrel sees it, unless that peer is a
/// proxy listed in <c>Reelgate:TrustedProxies</c>; then <c>X-Forwarded-For</c> is read from the
/// right, skipping listed proxies, and the first address that is not one is the client. A header
/// from a peer not listed is ignored, so a client cannot claim another address by sending it.
/// </summary>
public sealed class ClientAddress(IReadOnlyList<IPNetwork> trustedProxies)
{
    /// <summary>The most <c>X-Forwarded-For</c> entries read (a longer chain is refused as unknown).</summary>
    private const int MaxHops = 20;

    /// <summary>Parses the configured list (validated at start: every entry is an address or range).</summary>
    public static ClientAddress FromOptions(IEnumerable<string> trustedProxies) =>
        new(trustedProxies.Select(p => KeyLimits.TryParseRange(p, out var range) ? range : throw new InvalidOperationException($"Reelgate:TrustedProxies has '{p}', which is not an IP address or CIDR range")).ToList());

    /// <summary>The client address of the request, or null when a trusted proxy's header is unreadable.</summary>
    public IPAddress? Of(HttpContext http)
    {
        var peer = Normalize(http.Connection.RemoteIpAddress);
        if (peer is null || !IsTrusted(peer))
        {
            return peer;
        }

        var hops = new List<string>();
        foreach (var header in http.Request.Headers["X-Forwarded-For"])
        {
            hops.AddRange((header ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        }

        if (hops.Count == 0)
        {
            return peer; // the proxy itself called
        }

        if (hops.Count > MaxHops)
        {
            return null;
        }

        IPAddress? client = null;
        for (var i = hops.Count - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(StripPort(hops[i]), out var hop))
            {
                return null;
            }

            client = Normalize(hop)!;
            if (!IsTrusted(client))
            {
                return client;
            }
        }

        return client; // every hop is a listed proxy: the first one is as far as the chain goes
    }

    private bool IsTrusted(IPAddress address)
    {
        foreach (var range in trustedProxies)
        {
            if (range.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress? Normalize(IPAddress? address) => address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;

    /// <summary>An entry may carry a port (<c>203.0.113.7:4711</c>, <c>[2001:db8::1]:4711</c>).</summary>
    private static string StripPort(string hop)
    {
        if (hop.StartsWith('[') && hop.IndexOf(']') is var close and > 0)
        {
            return hop[1..close];
        }

        return hop.Count(c => c == ':') == 1 ? hop[..hop.IndexOf(':')] : hop;
    }
}
