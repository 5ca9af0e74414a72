using System.Text.Json.Nodes;
using Reelgate.Server.Tests.Infrastructure;
using Reelgate.Server.Tests.Media;

namespace Reelgate.Server.Tests.Cli;

/// <summary>
/// <c>reelgate generate</c>'s media flags, run as a real process against a live server without
/// workers (the create is what is tested): local files are uploaded and their URLs put into the
/// fields the model declares for each role.
/// </summary>
public sealed class MediaCliTests
{
    private static readonly Dictionary<string, string?> NoWorkers = new() { ["Reelgate:Workers"] = "0" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string[] Args(ReelgateTestServer server, string key, params string[] rest) =>
        ["--base-url", server.BaseAddress.ToString(), "--api-key", key, .. rest];

    [Fact]
    public async Task Generate_WithALocalImage_UploadsIt_AndCreatesTheTaskWithItsFileUrl()
    {
        await using var server = await ReelgateTestServer.StartAsync(NoWorkers);
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        var dir = Directory.CreateTempSubdirectory("reelgate-cli-media-").FullName;
        try
        {
            var first = Path.Combine(dir, "first.png");
            await File.WriteAllBytesAsync(first, await TestMedia.PngAsync(640, 480), Ct);
            var last = "data:image/png;base64," + Convert.ToBase64String(await TestMedia.PngAsync(640, 360));

            var run = await CliRunner.RunAsync(Args(server, key, "generate", "a slow push in", "--model", "seedance-2.0-image-to-video", "--image", first, "--last-image", last, "--resolution", "480p", "--duration", "4", "--no-wait", "--json"));

            Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
            var input = await InputOfAsync(server, key, (string)run.Json["taskId"]!);
            var urls = input["image_urls"]!.AsArray();
            Assert.Equal(2, urls.Count);
            Assert.StartsWith(server.BaseAddress.ToString().TrimEnd('/') + "/files/file_", (string)urls[0]!, StringComparison.Ordinal);
            Assert.Equal("a slow push in", (string?)input["prompt"]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Generate_WithAMissingFile_IsAUsageError_BeforeAnythingIsCreated()
    {
        await using var server = await ReelgateTestServer.StartAsync(NoWorkers);
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        var missing = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.png");

        var run = await CliRunner.RunAsync(Args(server, key, "generate", "x", "--model", "seedance-2.0-image-to-video", "--image", missing));
        var wrongModel = await CliRunner.RunAsync(Args(server, key, "generate", "x", "--ref-video", "https://example.com/clip.mp4"));
        var lastOnly = await CliRunner.RunAsync(Args(server, key, "generate", "x", "--model", "seedance-2.0-image-to-video", "--last-image", "https://example.com/end.png"));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"error: --image: no such file: {missing}", run.Stderr.Trim());
        Assert.Equal(2, wrongModel.ExitCode);
        Assert.Contains("--ref-video: model seedance-2.0-text-to-video has no input for it (it takes no media inputs)", wrongModel.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, lastOnly.ExitCode);
        Assert.Contains("--last-image needs the earlier first frame too (model seedance-2.0-image-to-video, field image_urls)", lastOnly.Stderr, StringComparison.Ordinal);
        var list = await CliRunner.RunAsync(Args(server, key, "list", "--json"));
        Assert.Empty(list.Json["items"]!.AsArray());
        Assert.Empty(Directory.EnumerateDirectories(server.DataDirectory, "file_*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Generate_ForKieModels_MapsFlagsToTheFieldsTheModelDeclares()
    {
        await using var server = await ReelgateTestServer.StartAsync(NoWorkers);
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        var dir = Directory.CreateTempSubdirectory("reelgate-cli-kie-").FullName;
        try
        {
            var png = Path.Combine(dir, "frame.png");
            var mp3 = Path.Combine(dir, "voice.mp3");
            await File.WriteAllBytesAsync(png, await TestMedia.PngAsync(640, 480), Ct);
            await File.WriteAllBytesAsync(mp3, await TestMedia.Mp3Async(), Ct);

            var frames = await CliRunner.RunAsync(Args(server, key, "generate", "frames", "--model", "bytedance/seedance-2", "--image", png, "--last-image", png, "--return-last-frame", "--ratio", "9:16", "--resolution", "480p", "--duration", "4", "--no-wait", "--json"));
            var references = await CliRunner.RunAsync(Args(server, key, "generate", "refs", "--model", "bytedance/seedance-2-fast", "--ref-image", png, "--ref-image", png, "--ref-audio", mp3, "--resolution", "480p", "--duration", "4", "--no-wait", "--json"));

            Assert.True(frames.ExitCode == 0, frames.Stderr + frames.Stdout);
            var framesInput = await InputOfAsync(server, key, (string)frames.Json["taskId"]!);
            Assert.StartsWith(server.BaseAddress + "files/file_", (string)framesInput["first_frame_url"]!, StringComparison.Ordinal);
            Assert.Equal((string?)framesInput["first_frame_url"], (string?)framesInput["last_frame_url"]); // one path, uploaded once
            Assert.True((bool)framesInput["return_last_frame"]!);
            Assert.Null(framesInput["image_urls"]);
            Assert.Equal(("9:16", null), ((string?)framesInput["aspect_ratio"], (string?)framesInput["ratio"])); // kie's name for the ratio
            Assert.True(references.ExitCode == 0, references.Stderr + references.Stdout);
            var refsInput = await InputOfAsync(server, key, (string)references.Json["taskId"]!);
            Assert.Equal(2, refsInput["reference_image_urls"]!.AsArray().Count);
            Assert.Contains("/source.mp3?", (string)refsInput["reference_audio_urls"]![0]!, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<JsonObject> InputOfAsync(ReelgateTestServer server, string key, string taskId)
    {
        using var client = server.NewClient(key);
        var info = await client.RecordInfoAsync(taskId);
        return JsonNode.Parse((string)info["param"]!)!["input"]!.AsObject();
    }
}
