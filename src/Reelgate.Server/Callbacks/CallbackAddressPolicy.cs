using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Reelgate.Server.Options;

namespace Reelgate.Server.Callbacks;

/// <summary>
/// Which addresses a callback may reach (SSRF protection). Refused: loopback, private
/// (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 with the cloud metadata
/// address, fe80::/10), carrier-grade NAT (100.64/10), multicast, unspecified and broadcast,
/// and IPv4-mapped forms of these, unless the operator lists the host name or a CIDR range in
/// <c>Reelgate:Callbacks:AllowedHosts</c>. Checked after DNS resolution and again at connect time.
/// </summary>
public sealed class CallbackAddressPolicy(IOptions<ReelgateOptions> options)
{
    private readonly List<string> _hosts = options.Value.Callbacks.AllowedHosts.Where(h => !h.Contains('/', StringComparison.Ordinal)).ToList();
    private readonly List<(IPAddress Network, int Prefix)> _ranges = options.Value.Callbacks.AllowedHosts
        .Select(h => h.Split('/'))
        .Where(p => p.Length == 2 && IPAddress.TryParse(p[0], out _) && int.TryParse(p[1], out _))
        .Select(p => (IPAddress.Parse(p[0]), int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)))
        .ToList();

    public bool HostAllowed(string host) => _hosts.Contains(host, StringComparer.OrdinalIgnoreCase);

    /// <summary>Null when the address may be called, else why not.</summary>
    public string? Refusal(string host, IPAddress address)
    {
        if (HostAllowed(host) || _hosts.Contains(address.ToString(), StringComparer.OrdinalIgnoreCase) || _ranges.Any(r => InRange(address, r.Network, r.Prefix)))
        {
            return null;
        }

        var a = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (IPAddress.IsLoopback(a))
        {
            return "loopback address";
        }

        if (a.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = a.GetAddressBytes();
            return (b[0], b[1]) switch
            {
                (0, _) => "unspecified address",
                (10, _) => "private address",
                (172, >= 16 and <= 31) => "private address",
                (192, 168) => "private address",
                (169, 254) => "link-local or metadata address",
                (100, >= 64 and <= 127) => "carrier-grade NAT address",
                (>= 224, _) => "multicast or reserved address",
                _ => null,
            };
        }

        if (a.IsIPv6LinkLocal || a.IsIPv6SiteLocal)
        {
            return "link-local address";
        }

        if (a.IsIPv6Multicast)
        {
            return "multicast address";
        }

        if (a.Equals(IPAddress.IPv6Any) || (a.GetAddressBytes()[0] & 0xfe) == 0xfc)
        {
            return "private address";
        }

        return null;
    }

    private static bool InRange(IPAddress address, IPAddress network, int prefix)
    {
        var a = (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).GetAddressBytes();
        var n = network.GetAddressBytes();
        if (a.Length != n.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length && prefix > 0; i++, prefix -= 8)
        {
            var mask = prefix >= 8 ? 0xff : (byte)(0xff << (8 - prefix));
            if ((a[i] & mask) != (n[i] & mask))
            {
                return false;
            }
        }

        return true;
    }
}
