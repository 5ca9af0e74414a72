using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Reelgate.Server.Tests.Infrastructure;
using Reelgate.Server.Tests.Media;
using Reelgate.Testing;

namespace Reelgate.Server.Tests.Clients;

/// <summary>
/// kie.ai's published MCP server (npm <c>@felores/kie-ai-mcp-server</c> 5.0.0, pinned in
/// tests/npm), unchanged, pointed at Reelgate with <c>KIE_AI_BASE_URL</c>: its
/// <c>bytedance_seedance_video</c> tool sends model <c>bytedance/seedance-2-5</c> in kie's shape,
/// which an operator's catalog copy answers by aliasing it to <c>bytedance/seedance-2</c>; its
/// <c>get_task_status</c> tool follows the task through recordInfo to the video.
/// </summary>
public sealed class KieMcpServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KieMcpServer_CreatesAnImageToVideoTask_AndFollowsItToTheVideo_WhenTheCatalogAliasesItsModelId()
    {
        var modules = await NpmClients.NodeModulesAsync();
        var catalog = Path.Combine(Path.GetTempPath(), $"catalog-{Guid.NewGuid():N}.json");
        var source = Path.Combine(AppContext.BaseDirectory, "catalog", "models.json");
        await File.WriteAllTextAsync(catalog, (await File.ReadAllTextAsync(source, Ct)).Replace("\"id\": \"bytedance/seedance-2\",", "\"id\": \"bytedance/seedance-2\", \"aliases\": [\"bytedance/seedance-2-5\"],", StringComparison.Ordinal), Ct);
        var work = Directory.CreateTempSubdirectory("reelgate-kie-mcp-");
        await using var hooks = await CallbackReceiver.StartAsync();
        try
        {
            await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?>
            {
                ["Reelgate:CatalogPath"] = catalog,
                ["Reelgate:Callbacks:AllowedHosts:0"] = "127.0.0.1",
            });
            var (_, _, key) = await server.CreateAccountAsync(100_000);
            using var rest = server.NewClient(key);
            var firstFrame = await MediaCreateTests.UploadAsync(rest, await TestMedia.PngAsync(640, 480));

            var transport = new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = "kie-ai-mcp-server",
                Command = "node",
                Arguments = [Path.Combine(modules, "@felores", "kie-ai-mcp-server", "dist", "index.js")],
                WorkingDirectory = work.FullName,
                EnvironmentVariables = new Dictionary<string, string?>
                {
                    ["KIE_AI_API_KEY"] = key,
                    ["KIE_AI_BASE_URL"] = new Uri(server.BaseAddress, "/api/v1").AbsoluteUri,
                    ["KIE_AI_CALLBACK_URL_FALLBACK"] = new Uri(hooks.Address, "/hook").AbsoluteUri,
                    ["KIE_AI_DB_PATH"] = Path.Combine(work.FullName, "tasks.db"),
                    // The server lists generation tools only with this (else an approval flow of
                    // prepare/submit tools wraps them); the tool and its request are unchanged.
                    ["KIE_AI_ALLOW_DIRECT_GENERATION"] = "true",
                },
            });
            await using var kie = await McpClient.CreateAsync(transport, cancellationToken: Ct);
            Assert.Contains("bytedance_seedance_video", (await kie.ListToolsAsync(cancellationToken: Ct)).Select(t => t.Name));

            var created = await kie.CallToolAsync("bytedance_seedance_video", new Dictionary<string, object?>
            {
                ["prompt"] = "a slow push in on the test card",
                ["first_frame_url"] = firstFrame,
                ["resolution"] = "480p",
                ["aspect_ratio"] = "16:9",
                ["duration"] = 4,
            }, cancellationToken: Ct);
            Assert.True(created.IsError != true, Text(created));
            var taskId = (string)JsonNode.Parse(Text(created))!["task_id"]!;

            // kie's own polling tool, through recordInfo, until its status says the task ended.
            JsonNode? status = null;
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (DateTime.UtcNow < deadline)
            {
                status = JsonNode.Parse(Text(await kie.CallToolAsync("get_task_status", new Dictionary<string, object?> { ["task_id"] = taskId }, cancellationToken: Ct)));
                if ((string?)status?["polling_strategy"]?["next_action"] is "task_complete" or "task_failed")
                {
                    break;
                }

                await Task.Delay(500, Ct);
            }

            Assert.True((string?)status?["polling_strategy"]?["next_action"] == "task_complete", status?.ToJsonString());
            var video = (string)status!["result_urls"]![0]!;
            Assert.Contains("/files/" + taskId + "/video.mp4", video, StringComparison.Ordinal);

            // The task is Reelgate's: the id kie sent is echoed, the price is bytedance/seedance-2's
            // at 480p for 4 s, and the callback went where kie's server asked.
            var info = await rest.RecordInfoAsync(taskId);
            Assert.Equal(("bytedance/seedance-2-5", "success"), ((string?)info["model"], (string?)info["state"]));
            Assert.Equal(20 * 4, (long)info["creditsConsumed"]!);
            Assert.Equal(firstFrame, (string?)JsonNode.Parse((string)info["param"]!)!["input"]!["first_frame_url"]);
            using var download = await rest.GetAsync(video, Ct);
            Assert.Equal("video/mp4", download.Content.Headers.ContentType?.MediaType);
            var hookDeadline = DateTime.UtcNow.AddSeconds(30);
            while (hooks.Received.IsEmpty && DateTime.UtcNow < hookDeadline)
            {
                await Task.Delay(100, Ct);
            }

            Assert.Contains(hooks.Received, h => (string?)h.Json["taskId"] == taskId && (string?)h.Json["state"] == "success");
        }
        finally
        {
            File.Delete(catalog);
            work.Delete(recursive: true);
        }
    }

    private static string Text(CallToolResult r) => string.Concat(r.Content.OfType<TextContentBlock>().Select(t => t.Text));
}
