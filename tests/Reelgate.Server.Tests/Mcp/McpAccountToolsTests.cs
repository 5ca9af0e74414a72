using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests.Mcp;

/// <summary>The MCP tools of issue 23: quote_video (REST's quote), get_key (keys/self), get_usage (usage), with the MCP SDK's client.</summary>
public sealed class McpAccountToolsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task QuoteVideo_GetKey_GetUsage_AnswerWhatRestAnswers()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (accountId, _, _) = await server.CreateAccountAsync(100_000);
        using var created = await server.Admin.PostAsync($"/api/admin/accounts/{accountId}/keys",
            new StringContent("""{"tier":"unlimited","creditLimit":5000,"creditPeriod":"month"}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        var apiKey = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!["data"]!["apiKey"]!;
        using var rest = server.NewClient(apiKey);
        await using var mcp = await McpTestClient.ConnectAsync(server, apiKey);
        var input = new Dictionary<string, object?> { ["prompt"] = "an agent asks the price", ["resolution"] = "480p", ["duration"] = 4 };

        var quote = JsonNode.Parse(McpTestClient.Text(await mcp.CallToolAsync("quote_video", input, cancellationToken: Ct)))!;
        var (_, restQuote, _) = await rest.PostRawAsync("/api/v1/jobs/quote", JsonSerializer.Serialize(new { model = "seedance-2.0-text-to-video", input }), null);
        Assert.Equal(restQuote["data"]!.ToJsonString(), quote.ToJsonString());
        Assert.Equal(5000L, (long)quote["keyRoom"]!);
        Assert.Equal(100_000, await rest.CreditsAsync()); // nothing charged

        var bad = await mcp.CallToolAsync("quote_video", new Dictionary<string, object?> { ["prompt"] = "x", ["duration"] = 3 }, cancellationToken: Ct);
        var (_, restBad, _) = await rest.PostRawAsync("/api/v1/jobs/quote", """{"model":"seedance-2.0-text-to-video","input":{"prompt":"x","duration":3}}""", null);
        Assert.True(bad.IsError);
        Assert.Equal($"{(int)restBad["code"]!} {(string)restBad["msg"]!}", McpTestClient.Text(bad)); // REST's code and msg, as every tool error

        var task = JsonNode.Parse(McpTestClient.Text(await mcp.CallToolAsync("generate_video", new Dictionary<string, object?>(input) { ["wait"] = true }, cancellationToken: Ct)))!;
        Assert.Equal("success", (string)task["state"]!);
        var key = JsonNode.Parse(McpTestClient.Text(await mcp.CallToolAsync("get_key", cancellationToken: Ct)))!;
        Assert.Equal((5000L, "month", (long)quote["credits"]!, 5000 - (long)quote["credits"]!), ((long)key["creditLimit"]!, (string)key["creditPeriod"]!, (long)key["spent"]!, (long)key["room"]!));

        var usage = JsonNode.Parse(McpTestClient.Text(await mcp.CallToolAsync("get_usage", new Dictionary<string, object?> { ["groupBy"] = "model" }, cancellationToken: Ct)))!;
        var (_, restUsage, _) = await rest.GetJsonAsync("/api/v1/usage?groupBy=model");
        Assert.Equal(restUsage["data"]!.ToJsonString(), usage.ToJsonString());
        Assert.Equal((long)quote["credits"]!, (long)usage["total"]!["net"]!);
        var badUsage = await mcp.CallToolAsync("get_usage", new Dictionary<string, object?> { ["from"] = "2026-02-30" }, cancellationToken: Ct);
        Assert.True(badUsage.IsError);
        Assert.StartsWith("422 validation error: ", McpTestClient.Text(badUsage), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminUsage_IsTheAccountsOwnReport_AndCsv_And404ForNoAccount()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (accountId, _, apiKey) = await server.CreateAccountAsync(10_000);
        using var client = server.NewClient(apiKey);
        var (_, created, _) = await client.CreateTaskAsync(new { prompt = "admin usage", resolution = "480p", duration = 4 });
        await client.WaitForEndAsync((string)created["data"]!["taskId"]!);

        foreach (var groupBy in new[] { "day", "model", "key" })
        {
            var (_, own, _) = await client.GetJsonAsync($"/api/v1/usage?groupBy={groupBy}");
            var (status, admin, _) = await server.Admin.GetJsonAsync($"/api/admin/accounts/{accountId}/usage?groupBy={groupBy}");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(own["data"]!.ToJsonString(), admin["data"]!.ToJsonString());
        }

        var csv = await server.Admin.GetStringAsync($"/api/admin/accounts/{accountId}/usage?format=csv&groupBy=model", Ct);
        Assert.Equal(await client.GetStringAsync("/api/v1/usage?format=csv&groupBy=model", Ct), csv);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.GetJsonAsync("/api/admin/accounts/acc_missing/usage")).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await server.Admin.GetJsonAsync($"/api/admin/accounts/{accountId}/usage?groupBy=week")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetJsonAsync($"/api/admin/accounts/{accountId}/usage")).Status);
    }
}
