using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Reelgate.Server.Options;

namespace Reelgate.Server.Callbacks;

/// <summary>
/// Which addresses a callback may reach (SSRF protection). Refused: loopback, private
/// (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 with the cloud metadata
/// address, fe80::/10), carrier-grade NAT (100.64/10), multicast, unspecified and broadcast,
/// and the IPv6 forms that carry an IPv4 address to a gateway that forwards to it: IPv4-mapped
/// (<c>::ffff:0:0/96</c>), IPv4-compatible (<c>::/96</c>), NAT64 (<c>64:ff9b::/96</c> and the
/// local-use <c>64:ff9b:1::/48</c>) and 6to4 (<c>2002::/16</c>) are judged by the IPv4 address
/// inside them; Teredo (<c>2001::/32</c>) is refused as a tunnel. All unless the operator lists the
/// host name or a CIDR range in <c>Reelgate:Callbacks:AllowedHosts</c> (media input fetching uses
/// the same rules with <c>Reelgate:Inputs:AllowedHosts</c>). Checked after DNS resolution
/// (<see cref="RefusalAsync"/>) and again at connect time (<see cref="ConnectAsync"/>).
/// </summary>
public sealed class CallbackAddressPolicy
{
    private readonly List<string> _hosts;
    private readonly List<(IPAddress Network, int Prefix)> _ranges;

    public CallbackAddressPolicy(IOptions<ReelgateOptions> options)
        : this(options.Value.Callbacks.AllowedHosts)
    {
    }

    private CallbackAddressPolicy(IReadOnlyList<string> allowedHosts)
    {
        _hosts = allowedHosts.Where(h => !h.Contains('/', StringComparison.Ordinal)).ToList();
        _ranges = allowedHosts
            .Select(h => h.Split('/'))
            .Where(p => p.Length == 2 && IPAddress.TryParse(p[0], out _) && int.TryParse(p[1], out _))
            .Select(p => (IPAddress.Parse(p[0]), int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
    }

    /// <summary>The same rules with another allow list (media inputs: <c>Reelgate:Inputs:AllowedHosts</c>).</summary>
    public static CallbackAddressPolicy WithAllowedHosts(IEnumerable<string> allowedHosts) => new(allowedHosts.ToList());

    public bool HostAllowed(string host) => _hosts.Contains(host, StringComparer.OrdinalIgnoreCase);

    /// <summary>Null when the address may be called, else why not.</summary>
    public string? Refusal(string host, IPAddress address)
    {
        if (HostAllowed(host) || _hosts.Contains(address.ToString(), StringComparer.OrdinalIgnoreCase) || _ranges.Any(r => InRange(address, r.Network, r.Prefix)))
        {
            return null;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv4MappedToIPv6)
        {
            var bytes = address.GetAddressBytes();
            if (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0 && bytes[3] == 0)
            {
                return "Teredo tunnel address";
            }

            if (EmbeddedIPv4(bytes) is { } embedded)
            {
                return _ranges.Any(r => InRange(embedded.Inner, r.Network, r.Prefix)) ? null
                    : Classify(embedded.Inner) is { } why ? $"{why} ({embedded.Form} form)" : null;
            }
        }

        return Classify(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
    }

    /// <summary>Null when the host may be called (every address it resolves to passes), else why not.</summary>
    public async Task<string?> RefusalAsync(string host, CancellationToken ct)
    {
        if (HostAllowed(host))
        {
            return null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        }
        catch (SocketException)
        {
            return "host name does not resolve";
        }

        foreach (var address in addresses)
        {
            if (Refusal(host, address) is { } why)
            {
                return $"{why} ({address})";
            }
        }

        return addresses.Length == 0 ? "host name does not resolve" : null;
    }

    /// <summary>
    /// A <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host again and checks the
    /// addresses actually connected to, so DNS rebinding between the check and the connect cannot
    /// slip through. A refusal throws <see cref="AddressRefusedException"/> (inside the
    /// <see cref="HttpRequestException"/> the client throws).
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        foreach (var address in addresses)
        {
            if (Refusal(host, address) is { } why)
            {
                throw new AddressRefusedException($"{why} ({address}) at connect time");
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The IPv4 address an IPv6 address hands to a translator or tunnel, with the form's name:
    /// IPv4-compatible <c>::a.b.c.d</c> (not <c>::</c> or <c>::1</c>, judged as themselves),
    /// NAT64 <c>64:ff9b::a.b.c.d</c> and <c>64:ff9b:1::/48</c> (the last 32 bits, RFC 6052/8215),
    /// 6to4 <c>2002:AABB:CCDD::</c> (bits 16-47, RFC 3056).
    /// </summary>
    private static (IPAddress Inner, string Form)? EmbeddedIPv4(byte[] b)
    {
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !((b[12] | b[13] | b[14]) == 0 && b[15] <= 1))
        {
            return (new IPAddress(b.AsSpan(12, 4)), "IPv4-compatible");
        }

        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b
            && (b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0 || (b[4] == 0 && b[5] == 1)))
        {
            return (new IPAddress(b.AsSpan(12, 4)), "NAT64");
        }

        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return (new IPAddress(b.AsSpan(2, 4)), "6to4");
        }

        return null;
    }

    private static string? Classify(IPAddress a)
    {
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
