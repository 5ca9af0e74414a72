using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Reelgate.Server.Security;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>Result URLs: no auth needed, but tampering, expiry and paths outside the store are refused.</summary>
public sealed class SignedUrlTests
{
    private static async Task<(ReelgateTestServer Server, FakeTimeProvider Clock, string Url, string TaskId)> StartWithResultAsync()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var server = await ReelgateTestServer.StartAsync(services: s =>
        {
            s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
            ScriptedEngine.AddTo(s);
        });
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);
        var (_, created, _) = await client.CreateTaskAsync(new { prompt = "signed", resolution = "480p", duration = 4 });
        var taskId = (string)created["data"]!["taskId"]!;
        var data = await client.WaitForEndAsync(taskId);
        var url = (string)JsonNode.Parse((string)data["resultJson"]!)!["resultUrls"]![0]!;
        return (server, clock, url, taskId);
    }

    [Fact]
    public async Task ResultUrl_Returns403_WhenSignatureOrExpiryIsTampered()
    {
        var (server, _, url, _) = await StartWithResultAsync();
        await using var _s = server;
        using var http = server.NewClient(); // no key: the URL carries its signature; the contract check covers /files
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url, TestContext.Current.CancellationToken)).StatusCode);

        var uri = new Uri(url);
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        var sig = query["sig"]!;
        var expires = long.Parse(query["expires"]!, System.Globalization.CultureInfo.InvariantCulture);
        var path = uri.GetLeftPart(UriPartial.Path);
        var flipped = (sig[0] == 'A' ? 'B' : 'A') + sig[1..];

        foreach (var bad in new[]
        {
            $"{path}?expires={expires}&sig={flipped}",
            $"{path}?expires={expires + 3600}&sig={sig}",
            $"{path}?expires={expires}",
            $"{path}?sig={sig}",
            $"{path}?expires=abc&sig={sig}",
            path.Replace("video.mp4", "thumb.jpg", StringComparison.Ordinal) + $"?expires={expires}&sig={sig}",
        })
        {
            var response = await http.GetAsync(bad, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
            Assert.Equal(403, (int)body["code"]!);
        }
    }

    [Fact]
    public async Task ResultUrl_Returns403_WhenExpired()
    {
        var (server, clock, url, _) = await StartWithResultAsync();
        await using var _s = server;
        using var http = server.NewClient(); // no key: the URL carries its signature; the contract check covers /files
        clock.Advance(TimeSpan.FromDays(14) - TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url, TestContext.Current.CancellationToken)).StatusCode);
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(url, TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task ResultUrl_NeverServesOutsideStore_WhenPathTraversesEvenWithValidSignature()
    {
        var (server, _, _, taskId) = await StartWithResultAsync();
        await using var _s = server;
        var signer = server.Get<ResultUrlSigner>();
        using var http = server.NewClient(); // no key: the URL carries its signature; the contract check covers /files
        var baseUrl = server.BaseAddress.ToString().TrimEnd('/');

        // A symlink planted inside the store, pointing outside it.
        var link = Path.Combine(server.DataDirectory, "results", taskId, "evil.mp4");
        File.CreateSymbolicLink(link, Path.Combine(server.DataDirectory, "reelgate.db"));

        foreach (var key in new[] { "../reelgate.db", "..%2Freelgate.db", $"{taskId}/../../admin.key", "%2Fetc%2Fpasswd", "/etc/passwd", $"{taskId}/evil.mp4", $"{taskId}/%2e%2e/%2e%2e/admin.key" })
        {
            var signed = signer.Sign(baseUrl, key, TimeSpan.FromHours(1));
            var response = await http.GetAsync(signed, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, $"{key}: {response.StatusCode}");
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.DoesNotContain("SQLite", text, StringComparison.Ordinal);
            Assert.DoesNotContain("rg_admin", text, StringComparison.Ordinal);
        }
    }
}
