using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>The README's walk-through with the real built-in renderer (Debian ffmpeg): create, poll, download, probe.</summary>
public sealed class EndToEndTests
{
    [Fact]
    public async Task CreateTask_ProducesExactMp4AndCharges_WhenSeedExampleIsSent()
    {
        await using var server = await ReelgateTestServer.StartAsync();
        var (_, _, apiKey) = await server.CreateAccountAsync(1000, "basic");
        using var client = server.NewClient(apiKey);

        const string body = """
            {"model":"seedance-2.0-text-to-video","input":{"prompt":"A slow dolly shot through a futuristic botanical lab with soft volumetric light","ratio":"9:16","resolution":"480p","duration":4,"generate_audio":true,"nsfw_checker":false}}
            """;
        var (status, created, _) = await client.PostRawAsync("/api/v1/jobs/createTask", body);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(200, (int)created["code"]!);
        Assert.Equal("success", (string)created["msg"]!);
        var taskId = (string)created["data"]!["taskId"]!;
        Assert.StartsWith("task_", taskId);
        Assert.Equal(1000 - (20 * 4), await client.CreditsAsync());

        var data = await client.WaitForEndAsync(taskId);
        Assert.Equal("success", (string)data["state"]!);
        Assert.Equal("seedance-2.0-text-to-video", (string)data["model"]!);
        Assert.Null(data["failCode"]);
        Assert.Null(data["failMsg"]);
        Assert.True((long)data["costTime"]! >= 0);
        Assert.True((long)data["completeTime"]! >= (long)data["createTime"]!);
        Assert.Equal(80, (long)data["creditsConsumed"]!);
        Assert.Equal(100, (int)data["progress"]!);
        var param = JsonNode.Parse((string)data["param"]!)!;
        Assert.Equal("9:16", (string)param["input"]!["ratio"]!);

        // Written as the seed shows it: escaped quotes, not \u0022.
        var raw = await client.GetStringAsync("/api/v1/jobs/recordInfo?taskId=" + taskId, TestContext.Current.CancellationToken);
        Assert.Contains("\"param\":\"{\\\"model\\\":\\\"seedance-2.0-text-to-video\\\",", raw, StringComparison.Ordinal);

        var result = JsonNode.Parse((string)data["resultJson"]!)!;
        var url = (string)result["resultUrls"]![0]!;
        Assert.StartsWith(server.BaseAddress.ToString().TrimEnd('/'), url);

        using var anonymous = new HttpClient();
        using var response = await anonymous.GetAsync(url, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType!.MediaType);
        Assert.NotNull(response.Headers.ETag);
        Assert.Contains("bytes", response.Headers.AcceptRanges);
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        var file = Path.Combine(server.DataDirectory, "download.mp4");
        await File.WriteAllBytesAsync(file, bytes, TestContext.Current.CancellationToken);

        var probe = await Ffprobe.ProbeAsync(file);
        var video = Ffprobe.Stream(probe, "video")!;
        Assert.Equal("h264", (string)video["codec_name"]!);
        Assert.Equal("yuv420p", (string)video["pix_fmt"]!);
        Assert.Equal(496, (int)video["width"]!);
        Assert.Equal(864, (int)video["height"]!);
        Assert.Equal("24/1", (string)video["r_frame_rate"]!);
        Assert.Equal("96", (string)video["nb_read_frames"]!);
        Assert.Equal("aac", (string)Ffprobe.Stream(probe, "audio")!["codec_name"]!);

        // The poster JPEG beside the video, also behind a signed URL.
        using var poster = await anonymous.GetAsync((string)data["thumbnailUrl"]!, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, poster.StatusCode);
        Assert.Equal("image/jpeg", poster.Content.Headers.ContentType!.MediaType);

        // A range request, as a browser seeking in the video does.
        using var range = new HttpRequestMessage(HttpMethod.Get, url);
        range.Headers.Range = new RangeHeaderValue(100, 199);
        using var partial = await anonymous.SendAsync(range, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        var slice = await partial.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        Assert.Equal(bytes.AsSpan(100, 100).ToArray(), slice);
    }

    [Fact]
    public async Task LongRender_FailsWithTimeoutAndRefund_AndLeavesNoFfmpegOrTempFile_WhenEngineTimeoutPasses()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:EngineTimeout"] = "00:00:01" });
        var (_, _, apiKey) = await server.CreateAccountAsync(2000);
        using var client = server.NewClient(apiKey);

        var (_, created, _) = await client.CreateTaskAsync(new { prompt = "far too long for the timeout", resolution = "1080p", duration = 15, generate_audio = true });
        var data = await client.WaitForEndAsync((string)created["data"]!["taskId"]!);
        Assert.Equal("fail", (string)data["state"]!);
        Assert.Equal("timeout", (string)data["failCode"]!);
        Assert.Equal(2000, await client.CreditsAsync());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "work")));
        Assert.DoesNotContain(System.Diagnostics.Process.GetProcessesByName("ffmpeg"), p => CommandLine(p).Contains(server.DataDirectory, StringComparison.Ordinal));
    }

    /// <summary>A process's command line; empty when it ended between the listing and the read (other tests' ffmpeg run at the same time).</summary>
    private static string CommandLine(System.Diagnostics.Process p)
    {
        try
        {
            return File.ReadAllText($"/proc/{p.Id}/cmdline");
        }
        catch (IOException)
        {
            return "";
        }
    }

    [Fact]
    public async Task CreateTask_FailsWithInstallHintAndRefunds_WhenFfmpegIsMissing()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:FfmpegPath"] = "/nonexistent/ffmpeg" });
        var (_, _, apiKey) = await server.CreateAccountAsync(500);
        using var client = server.NewClient(apiKey);

        var (_, health, _) = await server.NewClient().GetJsonAsync("/healthz");
        Assert.False((bool)health["engines"]!["builtin"]!["available"]!);

        var (status, created, _) = await client.CreateTaskAsync(new { prompt = "a lighthouse at night", resolution = "480p", duration = 4 });
        Assert.Equal(HttpStatusCode.OK, status);
        var data = await client.WaitForEndAsync((string)created["data"]!["taskId"]!);
        Assert.Equal("fail", (string)data["state"]!);
        Assert.Equal("generation_failed", (string)data["failCode"]!);
        Assert.Contains("apt-get install ffmpeg", (string)data["failMsg"]!);
        Assert.Null(data["resultJson"]);
        Assert.Equal(0, (long)data["creditsConsumed"]!);
        Assert.Equal(500, await client.CreditsAsync());
    }
}
