using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests.Mcp;

/// <summary>
/// Tool arguments are checked against each tool's own inputSchema before anything is created or
/// charged; results carry an object as structuredContent; an unknown tool is a protocol error.
/// </summary>
public sealed class McpArgumentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GenerateVideo_IsRefusedWithoutATaskOrCharge_WhenAnArgumentBreaksTheSchema()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        await using var mcp = await McpTestClient.ConnectAsync(server, key);
        using var rest = server.NewClient(key);
        var cases = new (string Name, object? Value, string Message)[]
        {
            ("wait_seconds", -5, "wait_seconds must be a whole number from 1 to 600"),
            ("wait_seconds", 0, "wait_seconds must be a whole number from 1 to 600"),
            ("wait_seconds", 601, "wait_seconds must be a whole number from 1 to 600"),
            ("wait_seconds", "abc", "wait_seconds must be a whole number from 1 to 600"),
            ("wait_seconds", 2.5, "wait_seconds must be a whole number from 1 to 600"),
            ("wait", "yes", "wait must be true or false"),
            ("model", 7, "model must be one of seedance-2.0-text-to-video, seedance-2.0-image-to-video, seedance-2.0-reference-to-video, bytedance/seedance-2, bytedance/seedance-2-fast"),
            ("model", "no-such-model", "model must be one of seedance-2.0-text-to-video, seedance-2.0-image-to-video, seedance-2.0-reference-to-video, bytedance/seedance-2, bytedance/seedance-2-fast"),
            ("request_id", new string('r', 129), "request_id must be a string of 1 to 128 characters"),
            ("request_id", "", "request_id must be a string of 1 to 128 characters"),
            ("callBackUrl", 42, "callBackUrl must be a string of at most 2048 characters"),
            ("colour", "red", "colour is not an argument of generate_video"),
            ("aspect_ratio", "5:4", "input.aspect_ratio must be one of 16:9, 9:16, 1:1, 4:3, 3:4, 21:9, adaptive"),
        };

        foreach (var (name, value, message) in cases)
        {
            var result = await mcp.CallToolAsync("generate_video", new Dictionary<string, object?> { ["prompt"] = "refused", ["wait"] = true, [name] = value }, cancellationToken: Ct);

            Assert.True(result.IsError, $"{name}={value}");
            Assert.Equal($"422 validation error: {message}", McpTestClient.Text(result));
        }

        var missing = await mcp.CallToolAsync("generate_video", new Dictionary<string, object?> { ["wait_seconds"] = 5 }, cancellationToken: Ct);
        Assert.Equal("422 validation error: input.prompt is required", McpTestClient.Text(missing));
        var (_, list, _) = await rest.GetJsonAsync("/api/v1/jobs/list");
        Assert.Empty(list["data"]!["items"]!.AsArray());
        Assert.Equal(100_000, await rest.CreditsAsync());
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task ReadTools_AreRefused_WhenAnArgumentBreaksTheSchema()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(1000);
        await using var mcp = await McpTestClient.ConnectAsync(server, key);
        var cases = new (string Tool, Dictionary<string, object?> Args, string Message)[]
        {
            ("list_tasks", new() { ["limit"] = "abc" }, "limit must be a whole number from 1 to 100"),
            ("list_tasks", new() { ["limit"] = 0 }, "limit must be a whole number from 1 to 100"),
            ("list_tasks", new() { ["state"] = "done" }, "state must be one of waiting, success, fail"),
            ("list_tasks", new() { ["page"] = 2 }, "page is not an argument of list_tasks"),
            ("get_task", new(), "taskId is required"),
            ("get_task", new() { ["taskId"] = 5 }, "taskId must be a string of at least 1 character"),
            ("get_credits", new() { ["account"] = "someone-else" }, "account is not an argument of get_credits"),
            ("list_models", new() { ["verbose"] = true }, "verbose is not an argument of list_models"),
        };

        foreach (var (tool, args, message) in cases)
        {
            var result = await mcp.CallToolAsync(tool, args, cancellationToken: Ct);

            Assert.True(result.IsError, tool);
            Assert.Equal($"422 validation error: {message}", McpTestClient.Text(result));
        }
    }

    [Fact]
    public async Task ToolSchemas_RefuseUnknownArguments_AndDeclareObjectOutputs()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(1000);
        await using var mcp = await McpTestClient.ConnectAsync(server, key);

        var tools = await mcp.ListToolsAsync(cancellationToken: Ct);

        foreach (var tool in tools)
        {
            var input = JsonNode.Parse(tool.JsonSchema.GetRawText())!;
            Assert.False((bool)input["additionalProperties"]!, tool.Name);
            Assert.NotNull(tool.ProtocolTool.OutputSchema);
            Assert.Equal("object", (string?)JsonNode.Parse(tool.ProtocolTool.OutputSchema!.Value.GetRawText())!["type"]);
        }
    }

    [Fact]
    public async Task EverySuccess_CarriesAnObjectAsStructuredContent_ListModelsIncluded()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        await using var mcp = await McpTestClient.ConnectAsync(server, key);
        var created = await mcp.CallToolAsync("generate_video", new Dictionary<string, object?> { ["prompt"] = "structured", ["wait"] = true, ["wait_seconds"] = 60 }, cancellationToken: Ct);
        var taskId = (string?)JsonNode.Parse(McpTestClient.Text(created))!["taskId"];

        var results = new Dictionary<string, CallToolResult>
        {
            ["generate_video"] = created,
            ["get_task"] = await mcp.CallToolAsync("get_task", new Dictionary<string, object?> { ["taskId"] = taskId }, cancellationToken: Ct),
            ["list_tasks"] = await mcp.CallToolAsync("list_tasks", cancellationToken: Ct),
            ["get_credits"] = await mcp.CallToolAsync("get_credits", cancellationToken: Ct),
            ["get_key"] = await mcp.CallToolAsync("get_key", cancellationToken: Ct),
            ["list_models"] = await mcp.CallToolAsync("list_models", cancellationToken: Ct),
        };

        foreach (var (tool, result) in results)
        {
            Assert.NotEqual(true, result.IsError);
            Assert.True(result.StructuredContent is { ValueKind: System.Text.Json.JsonValueKind.Object }, tool);
            Assert.Equal(JsonNode.Parse(McpTestClient.Text(result))!.ToJsonString(), JsonNode.Parse(result.StructuredContent!.Value.GetRawText())!.ToJsonString());
        }

        var models = JsonNode.Parse(results["list_models"].StructuredContent!.Value.GetRawText())!["models"]!.AsArray();
        Assert.Equal("seedance-2.0-text-to-video", (string?)models[0]!["id"]);
    }

    [Fact]
    public async Task UnknownTool_IsJsonRpcInvalidParams_NotAToolResult()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(1000);
        await using var mcp = await McpTestClient.ConnectAsync(server, key);

        var e = await Assert.ThrowsAsync<McpProtocolException>(async () => await mcp.CallToolAsync("render_film", cancellationToken: Ct));

        Assert.Equal(McpErrorCode.InvalidParams, e.ErrorCode);
        Assert.Contains("render_film", e.Message, StringComparison.Ordinal);
    }
}
