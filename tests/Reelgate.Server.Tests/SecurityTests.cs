using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>Secrets stay out of logs, responses leak no versions, SQL takes only parameters.</summary>
public sealed partial class SecurityTests
{
    [Fact]
    public async Task Logs_NeverContainKeysOrSigningSecret_WhenAFullFlowRunsAtTraceLevel()
    {
        var capture = new CapturingLoggerProvider();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "reelgate-test-" + Guid.NewGuid().ToString("N"));
        string adminKey, apiKey, signingSecret, signature;
        await using (var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?> { ["Reelgate:AdminKey"] = null },
            s =>
            {
                s.AddSingleton<ILoggerProvider>(capture);
                // Everything at Trace except the server's own default rule that keeps ASP.NET Core's
                // request logs (which print URLs, and so result-URL signatures) at Warning.
                s.Configure<LoggerFilterOptions>(o => o.MinLevel = LogLevel.Trace);
            },
            dataDirectory))
        {
            adminKey = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin.key"), TestContext.Current.CancellationToken)).Trim();
            signingSecret = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "url-signing.key"), TestContext.Current.CancellationToken)).Trim();
            Assert.Equal("600", Convert.ToString((int)File.GetUnixFileMode(Path.Combine(dataDirectory, "admin.key")), 8));
            Assert.Equal("600", Convert.ToString((int)File.GetUnixFileMode(Path.Combine(dataDirectory, "url-signing.key")), 8));

            using var admin = server.NewClient(adminKey);
            var acc = JsonNode.Parse(await (await admin.PostAsync("/api/admin/accounts", new StringContent("""{"name":"logs","credits":1000}""", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
            var accountId = (string)acc["data"]!["accountId"]!;
            var key = JsonNode.Parse(await (await admin.PostAsync($"/api/admin/accounts/{accountId}/keys", new StringContent("""{"tier":"basic"}""", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
            apiKey = (string)key["data"]!["apiKey"]!;

            using var client = server.NewClient(apiKey);
            var (_, created, _) = await client.CreateTaskAsync(new { prompt = "secrets stay secret", resolution = "480p", duration = 4 });
            var data = await client.WaitForEndAsync((string)created["data"]!["taskId"]!);
            var url = (string)JsonNode.Parse((string)data["resultJson"]!)!["resultUrls"]![0]!;
            signature = url[(url.IndexOf("sig=", StringComparison.Ordinal) + 4)..];
            using var anonymous = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(url, TestContext.Current.CancellationToken)).StatusCode);
            await anonymous.GetAsync(url + "x", TestContext.Current.CancellationToken);
            await server.NewClient(apiKey + "x").GetAsync("/api/v1/chat/credit", TestContext.Current.CancellationToken);
            await server.NewClient(adminKey + "x").GetAsync("/api/admin/audit", TestContext.Current.CancellationToken);
            await admin.DeleteAsync($"/api/admin/keys/{(string)key["data"]!["keyId"]!}", TestContext.Current.CancellationToken);
            await client.GetAsync("/api/v1/chat/credit", TestContext.Current.CancellationToken);
        }

        var log = capture.Text;
        Assert.Contains(Path.Combine(dataDirectory, "admin.key"), log, StringComparison.Ordinal);
        Assert.DoesNotContain(adminKey, log, StringComparison.Ordinal);
        Assert.DoesNotContain(apiKey, log, StringComparison.Ordinal);
        Assert.DoesNotContain(apiKey[3..], log, StringComparison.Ordinal);
        Assert.DoesNotContain(signingSecret, log, StringComparison.Ordinal);
        Assert.DoesNotContain(signature, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Responses_LeakNoServerOrFrameworkVersion()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        using var http = server.NewClient();
        foreach (var path in new[] { "/healthz", "/api/v1/jobs/recordInfo?taskId=x", "/api/v1/nope", "/files/task_x/video.mp4?expires=1&sig=x", "/nothing" })
        {
            using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.False(response.Headers.Contains("Server"), path);
            Assert.False(response.Headers.Contains("X-Powered-By"), path);
            Assert.False(response.Headers.Contains("X-AspNet-Version"), path);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.DoesNotContain("Microsoft", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Kestrel", body, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// SQL is built only from constants and parameters: no interpolated or concatenated values
    /// in any command text of the stores (the one interpolation allowed is the constant column list).
    /// </summary>
    [Fact]
    public void StoreSql_UsesOnlyParameters()
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "Reelgate.Data"));
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/", StringComparison.Ordinal)))
        {
            var lineNo = 0;
            foreach (var line in File.ReadLines(file))
            {
                lineNo++;
                if (SqlKeyword().IsMatch(line) && Interpolation().Matches(line).Any(m => m.Value is not ("{Columns}" or "{TaskRows.Columns}")))
                {
                    offenders.Add($"{Path.GetFileName(file)}:{lineNo}: {line.Trim()}");
                }
            }
        }

        Assert.True(offenders.Count == 0, string.Join('\n', offenders));
        Assert.NotEmpty(Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories));
    }

    [GeneratedRegex(@"\$""[^""]*\b(SELECT|INSERT|UPDATE|DELETE|WHERE|VALUES)\b", RegexOptions.IgnoreCase)]
    private static partial Regex SqlKeyword();

    [GeneratedRegex(@"\{[A-Za-z_][^}]*\}")]
    private static partial Regex Interpolation();
}
