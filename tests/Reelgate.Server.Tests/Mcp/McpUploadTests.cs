using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using Reelgate.Core.Tasks;
using Reelgate.Server.Tests.Infrastructure;
using Reelgate.Server.Tests.Media;

namespace Reelgate.Server.Tests.Mcp;

/// <summary>MCP's upload_file with the SDK's own client, and its fileUrl as a media input of generate_video (no workers: the create is what is tested).</summary>
public sealed class McpUploadTests
{
    private static readonly Dictionary<string, string?> NoWorkers = new() { ["Reelgate:Workers"] = "0" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UploadFile_OfAPng_ReturnsTheUploadData_WhoseFileUrlIsAnImageToVideoInput()
    {
        await using var server = await ReelgateTestServer.StartAsync(NoWorkers);
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        await using var mcp = await McpTestClient.ConnectAsync(server, key);
        var png = await TestMedia.PngAsync(640, 480);

        var upload = await mcp.CallToolAsync("upload_file", new Dictionary<string, object?> { ["base64Data"] = "data:image/png;base64," + Convert.ToBase64String(png), ["fileName"] = "first.png" }, cancellationToken: Ct);

        Assert.True(upload.IsError != true, McpTestClient.Text(upload));
        var data = JsonNode.Parse(upload.StructuredContent!.Value.GetRawText())!;
        Assert.StartsWith("file_", (string)data["fileId"]!, StringComparison.Ordinal);
        Assert.Equal(("image/png", png.Length, 640, 480), ((string?)data["mimeType"], (int)data["fileSize"]!, (int)data["width"]!, (int)data["height"]!));
        Assert.EndsWith("Z", (string)data["expiresAt"]!, StringComparison.Ordinal);
        var fileUrl = (string)data["fileUrl"]!;

        var created = await mcp.CallToolAsync("generate_video", new Dictionary<string, object?>
        {
            ["model"] = "seedance-2.0-image-to-video", ["prompt"] = "a slow push in", ["image_urls"] = new[] { fileUrl }, ["resolution"] = "480p", ["duration"] = 4,
        }, cancellationToken: Ct);

        Assert.True(created.IsError != true, McpTestClient.Text(created));
        var taskId = (string)JsonNode.Parse(McpTestClient.Text(created))!["taskId"]!;
        var task = await server.Get<ITaskStore>().GetAsync(taskId, Ct);
        var input = Assert.Single(task!.Spec!.Media);
        Assert.Equal(((string?)data["fileId"], fileUrl, "first_frame"), (input.FileId, input.Url, input.Role));
    }

    [Fact]
    public async Task UploadFile_WithBadBase64OrNoMedia_Is422Text_AndStoresNothing()
    {
        await using var server = await ReelgateTestServer.StartAsync(NoWorkers);
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        await using var mcp = await McpTestClient.ConnectAsync(server, key);

        var bad = await mcp.CallToolAsync("upload_file", new Dictionary<string, object?> { ["base64Data"] = "not base64 at all!" }, cancellationToken: Ct);
        var text = await mcp.CallToolAsync("upload_file", new Dictionary<string, object?> { ["base64Data"] = Convert.ToBase64String("hello"u8.ToArray()) }, cancellationToken: Ct);
        var none = await mcp.CallToolAsync("upload_file", new Dictionary<string, object?> { ["fileName"] = "x.png" }, cancellationToken: Ct);
        var extra = await mcp.CallToolAsync("upload_file", new Dictionary<string, object?> { ["base64Data"] = "AAAA", ["path"] = "/etc" }, cancellationToken: Ct);

        Assert.True(bad.IsError);
        Assert.Equal("422 validation error: base64Data is neither base64 nor a base64 data: URL", McpTestClient.Text(bad));
        Assert.Equal("422 file is not a JPEG, PNG or WebP image, an MP4 or MOV video, or an MP3, WAV or M4A audio", McpTestClient.Text(text));
        Assert.Equal("422 validation error: exactly one of base64Data and fileUrl is required", McpTestClient.Text(none));
        Assert.Equal("422 validation error: path is not an argument of upload_file", McpTestClient.Text(extra));
        Assert.Empty(Directory.EnumerateDirectories(server.DataDirectory, "file_*", SearchOption.AllDirectories));
    }
}
