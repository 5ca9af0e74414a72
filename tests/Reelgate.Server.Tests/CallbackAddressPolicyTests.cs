using System.Net;
using Reelgate.Server.Callbacks;
using Reelgate.Server.Options;

namespace Reelgate.Server.Tests;

/// <summary>
/// The SSRF rules address by address, including the IPv6 forms that hand an IPv4 address to a
/// translator or tunnel (NAT64, 6to4, IPv4-compatible, Teredo): each is judged like the IPv4
/// address inside it. The end-to-end refusal (recorded tries, nothing received) is in CallbackTests.
/// </summary>
public sealed class CallbackAddressPolicyTests
{
    private static CallbackAddressPolicy Policy(params string[] allowed)
    {
        var options = new ReelgateOptions();
        options.Callbacks.AllowedHosts = [.. allowed];
        return new CallbackAddressPolicy(Microsoft.Extensions.Options.Options.Create(options));
    }

    [Theory]
    [InlineData("127.0.0.1", "loopback address")]
    [InlineData("::1", "loopback address")]
    [InlineData("::ffff:127.0.0.1", "loopback address")]
    [InlineData("::ffff:10.0.0.1", "private address")]
    [InlineData("64:ff9b::7f00:1", "loopback address (NAT64 form)")]
    [InlineData("64:ff9b::10.1.2.3", "private address (NAT64 form)")]
    [InlineData("64:ff9b::169.254.169.254", "link-local or metadata address (NAT64 form)")]
    [InlineData("64:ff9b:1::c0a8:1", "private address (NAT64 form)")]
    [InlineData("2002:7f00:1::", "loopback address (6to4 form)")]
    [InlineData("2002:a00:1::1", "private address (6to4 form)")]
    [InlineData("2002:c0a8:101:0:1:2:3:4", "private address (6to4 form)")]
    [InlineData("2002:a9fe:a9fe::", "link-local or metadata address (6to4 form)")]
    [InlineData("::127.0.0.1", "loopback address (IPv4-compatible form)")]
    [InlineData("::10.0.0.1", "private address (IPv4-compatible form)")]
    [InlineData("::0.0.0.5", "unspecified address (IPv4-compatible form)")]
    [InlineData("::", "private address")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo tunnel address")]
    [InlineData("fe80::1", "link-local address")]
    [InlineData("fd00::1", "private address")]
    [InlineData("100.64.0.1", "carrier-grade NAT address")]
    public void Refusal_NamesTheReason_ForEveryFormOfANonPublicAddress(string address, string reason) =>
        Assert.Equal(reason, Policy().Refusal("example.com", IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("2606:2800:21f:cb07:6820:80da:af6b:8b2c")]
    [InlineData("64:ff9b::5db8:d70e")]
    [InlineData("2002:5db8:d70e::1")]
    [InlineData("::ffff:93.184.215.14")]
    public void Refusal_IsNull_ForPublicAddressesInEveryForm(string address) =>
        Assert.Null(Policy().Refusal("example.com", IPAddress.Parse(address)));

    [Fact]
    public void Refusal_FollowsTheAllowList_ForTheAddressInside()
    {
        var policy = Policy("10.1.0.0/16");
        Assert.Null(policy.Refusal("hooks.internal", IPAddress.Parse("10.1.2.3")));
        Assert.Null(policy.Refusal("hooks.internal", IPAddress.Parse("64:ff9b::10.1.2.3")));
        Assert.Equal("private address (NAT64 form)", policy.Refusal("hooks.internal", IPAddress.Parse("64:ff9b::10.2.0.1")));
    }
}
