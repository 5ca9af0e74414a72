using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests.Mcp;

/// <summary>The /mcp endpoint called with the MCP SDK's own client over streamable HTTP.</summary>
public sealed class McpTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<McpClient> ConnectAsync(ReelgateTestServer server, string key) => McpTestClient.ConnectAsync(server, key);

    private static string Text(CallToolResult r) => McpTestClient.Text(r);

    [Fact]
    public async Task Tools_AreListed_WithSchemasFromTheCatalog()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(1000);
        await using var mcp = await ConnectAsync(server, key);

        var tools = await mcp.ListToolsAsync(cancellationToken: Ct);

        Assert.Equal(["generate_video", "get_credits", "get_key", "get_task", "get_usage", "list_models", "list_tasks", "quote_video", "upload_file"], tools.Select(t => t.Name).Order().ToArray());
        var schema = JsonNode.Parse(tools.Single(t => t.Name == "generate_video").JsonSchema.GetRawText())!;
        // One schema for every model: only what every model requires is required (reference-to-video
        // takes no prompt, text-to-video no image), and the media fields are there for the models that take them.
        var required = schema["required"]?.AsArray().Select(n => (string?)n).ToList() ?? [];
        Assert.DoesNotContain("image_urls", required);
        Assert.Equal("string", (string?)schema["properties"]!["prompt"]!["type"]);
        Assert.Equal("array", (string?)schema["properties"]!["image_urls"]!["type"]);
        Assert.Equal(2, (int)schema["properties"]!["image_urls"]!["maxItems"]!);
        Assert.Equal("string", (string?)schema["properties"]!["first_frame_url"]!["type"]);
        Assert.Contains("bytedance/seedance-2", schema["properties"]!["model"]!["enum"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(4, (int)schema["properties"]!["duration"]!["minimum"]!);
        Assert.Equal(15, (int)schema["properties"]!["duration"]!["maximum"]!);
        Assert.Contains("21:9", schema["properties"]!["ratio"]!["enum"]!.AsArray().Select(n => (string?)n));
        // text-to-video's aspect_ratio (an alias of ratio) is kie's own ratio field, described once.
        Assert.Contains("adaptive", schema["properties"]!["aspect_ratio"]!["enum"]!.AsArray().Select(n => (string?)n));
    }

    [Fact]
    public async Task GenerateVideo_WithWait_ChargesLikeRest_AndReturnsTheFinishedTask()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        await using var mcp = await ConnectAsync(server, key);

        var result = await mcp.CallToolAsync("generate_video", new Dictionary<string, object?>
        {
            ["prompt"] = "an agent's video", ["resolution"] = "480p", ["duration"] = 4, ["wait"] = true, ["request_id"] = "agent-1",
        }, cancellationToken: Ct);

        Assert.NotEqual(true, result.IsError);
        var task = JsonNode.Parse(Text(result))!;
        Assert.Equal("success", (string?)task["state"]);
        Assert.Contains("/files/", (string?)task["resultJson"], StringComparison.Ordinal);
        var credits = JsonNode.Parse(Text(await mcp.CallToolAsync("get_credits", cancellationToken: Ct)))!;
        Assert.Equal(100_000 - (long)task["creditsConsumed"]!, (long)credits["credits"]!);

        // The same request_id again: the same task, no second charge (REST idempotency).
        var replay = JsonNode.Parse(Text(await mcp.CallToolAsync("generate_video", new Dictionary<string, object?>
        {
            ["prompt"] = "an agent's video", ["resolution"] = "480p", ["duration"] = 4, ["request_id"] = "agent-1",
        }, cancellationToken: Ct)))!;
        Assert.Equal((string?)task["taskId"], (string?)replay["taskId"]);
        Assert.Equal((long)credits["credits"]!, (long)JsonNode.Parse(Text(await mcp.CallToolAsync("get_credits", cancellationToken: Ct)))!["credits"]!);

        var list = JsonNode.Parse(Text(await mcp.CallToolAsync("list_tasks", new Dictionary<string, object?> { ["limit"] = 10 }, cancellationToken: Ct)))!;
        Assert.Single(list["items"]!.AsArray());
        var got = JsonNode.Parse(Text(await mcp.CallToolAsync("get_task", new Dictionary<string, object?> { ["taskId"] = (string?)task["taskId"] }, cancellationToken: Ct)))!;
        Assert.Equal("success", (string?)got["state"]);
        var models = Text(await mcp.CallToolAsync("list_models", cancellationToken: Ct));
        Assert.Contains("seedance-2.0-text-to-video", models, StringComparison.Ordinal);
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task Errors_MatchTheRestApi_CodeAndMsg()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(1);
        var (_, _, other) = await server.CreateAccountAsync(100_000);
        await using var mcp = await ConnectAsync(server, key);
        using var rest = server.NewClient(key);

        var invalid = await mcp.CallToolAsync("generate_video", new Dictionary<string, object?> { ["prompt"] = "x", ["duration"] = 99 }, cancellationToken: Ct);
        var restInvalid = JsonNode.Parse(await (await rest.PostAsync("/api/v1/jobs/createTask",
            new StringContent("""{"model":"seedance-2.0-text-to-video","input":{"prompt":"x","duration":99}}""", System.Text.Encoding.UTF8, "application/json"), Ct)).Content.ReadAsStringAsync(Ct))!;
        Assert.True(invalid.IsError);
        Assert.Equal($"422 {(string?)restInvalid["msg"]}", Text(invalid));

        var poor = await mcp.CallToolAsync("generate_video", new Dictionary<string, object?> { ["prompt"] = "x" }, cancellationToken: Ct);
        Assert.True(poor.IsError);
        Assert.Equal("402 insufficient credits", Text(poor));

        await using var otherMcp = await ConnectAsync(server, other);
        var theirs = JsonNode.Parse(Text(await otherMcp.CallToolAsync("generate_video", new Dictionary<string, object?> { ["prompt"] = "[hold] theirs" }, cancellationToken: Ct)))!;
        var hidden = await mcp.CallToolAsync("get_task", new Dictionary<string, object?> { ["taskId"] = (string?)theirs["taskId"] }, cancellationToken: Ct);
        Assert.Equal("404 task not found", Text(hidden));
        Assert.Equal(1, (long)JsonNode.Parse(Text(await mcp.CallToolAsync("get_credits", cancellationToken: Ct)))!["credits"]!);
    }

    [Fact]
    public async Task GenerateVideo_IsRateLimited_AsACreate()
    {
        await using var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?> { ["Reelgate:Tiers:tiny:CreatePerMinute"] = "1" },
            services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000, tier: "tiny");
        await using var mcp = await ConnectAsync(server, key);

        var first = await mcp.CallToolAsync("generate_video", new Dictionary<string, object?> { ["prompt"] = "one" }, cancellationToken: Ct);
        var second = await mcp.CallToolAsync("generate_video", new Dictionary<string, object?> { ["prompt"] = "two" }, cancellationToken: Ct);
        var read = await mcp.CallToolAsync("get_credits", cancellationToken: Ct);

        Assert.NotEqual(true, first.IsError);
        Assert.True(second.IsError);
        Assert.StartsWith("429 rate limit exceeded", Text(second), StringComparison.Ordinal);
        Assert.NotEqual(true, read.IsError); // reads have their own budget
    }

    [Fact]
    public async Task Mcp_WithoutAValidKey_Is401_InTheApiEnvelope()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        using var anonymous = server.NewClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Accept", "application/json, text/event-stream");

        var response = await anonymous.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        JsonBody.AssertError(response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject(), 401, "authentication failed");
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(server, "sk-" + new string('z', 40)));
    }
}
