using System.Net;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>GET /api/v1/usage (issue 23, item 4, API part): the ledger's sums by day, model and key, JSON and CSV.</summary>
public sealed class UsageTests
{
    private const string Model = "seedance-2.0-text-to-video";

    [Fact]
    public async Task Usage_SumsTheLedger_ByDayModelAndKey_AsJsonAndCsv()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);
        foreach (var prompt in new[] { "one", "two", "this one [fail]s" })
        {
            var (_, created, _) = await client.CreateTaskAsync(new { prompt, resolution = "480p", duration = 4 });
            await client.WaitForEndAsync((string)created["data"]!["taskId"]!);
        }

        var balance = await client.CreditsAsync();
        Assert.Equal(1000 - 160, balance); // three charged at 80, the failure refunded

        var (status, day, _) = await client.GetJsonAsync("/api/v1/usage");
        Assert.Equal(HttpStatusCode.OK, status);
        var rows = day["data"]!["rows"]!.AsArray();
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var row = Assert.Single(rows)!;
        Assert.Equal(today, (string)row["group"]!);
        Assert.Equal((240, 80, 160, 3, 2, 1, 0), ((long)row["charged"]!, (long)row["refunded"]!, (long)row["net"]!, (int)row["tasks"]!, (int)row["success"]!, (int)row["fail"]!, (int)row["waiting"]!));
        Assert.Equal(1000 - balance, (long)day["data"]!["total"]!["net"]!);

        var (_, byModel, _) = await client.GetJsonAsync("/api/v1/usage?groupBy=model");
        Assert.Equal(Model, (string)byModel["data"]!["rows"]![0]!["group"]!);
        var (_, byKey, _) = await client.GetJsonAsync("/api/v1/usage?groupBy=key&from=" + today + "&to=" + today);
        Assert.StartsWith("key_", (string)byKey["data"]!["rows"]![0]!["group"]!, StringComparison.Ordinal);
        Assert.Equal(160, (long)byKey["data"]!["rows"]![0]!["net"]!);

        // An earlier range holds nothing.
        var (_, empty, _) = await client.GetJsonAsync("/api/v1/usage?from=2020-01-01&to=2020-01-31");
        Assert.Empty(empty["data"]!["rows"]!.AsArray());

        using var csv = await client.GetAsync("/api/v1/usage?groupBy=day&format=csv", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var text = await csv.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal($"group,charged,refunded,net,tasks,success,fail,waiting\r\n{today},240,80,160,3,2,1,0\r\n", text);
        await server.AssertAuditOkAsync();
    }

    [Theory]
    [InlineData("groupBy=week")]
    [InlineData("format=xml")]
    [InlineData("from=2026-13-01")]
    [InlineData("from=2026-02-01&to=2026-01-01")]
    [InlineData("from=2024-01-01&to=2026-01-01")]
    [InlineData("to=yesterday")]
    public async Task Usage_Answers422_ForABadQuery(string query)
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (_, _, apiKey) = await server.CreateAccountAsync(10);
        using var client = server.NewClient(apiKey);
        var (status, body, _) = await client.GetJsonAsync("/api/v1/usage?" + query);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.StartsWith("validation error: ", (string)body["msg"]!, StringComparison.Ordinal);
    }
}
