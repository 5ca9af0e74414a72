using System.Net;
using System.Text.Json.Nodes;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>
/// The worker with media inputs, end to end on a real server: a bad input fails the task with
/// input_invalid and a full refund before any engine runs; good inputs reach the engine as
/// checked files, and return_last_frame gives a signed lastFrameUrl. Tasks are made through
/// createTask (seedance-2.0-image-to-video); the images come from a loopback media server, which
/// <c>Reelgate:Inputs:AllowedHosts</c> lets the worker fetch.
/// </summary>
public sealed class WorkerInputPreparationTests(MediaServer media) : IClassFixture<MediaServer>
{
    private const long Cost = 200; // 720p x 5 s x 40

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(ReelgateTestServer Server, ScriptedEngine Engine)> StartAsync(IDictionary<string, string?>? more = null)
    {
        ScriptedEngine? engine = null;
        var settings = new Dictionary<string, string?>(more ?? new Dictionary<string, string?>()) { ["Reelgate:Inputs:AllowedHosts:0"] = "localhost" };
        var server = await ReelgateTestServer.StartAsync(settings, s => engine = ScriptedEngine.AddTo(s));
        return (server, engine!);
    }

    /// <summary>createTask for seedance-2.0-image-to-video with these images (adaptive ratio, 720p, 5 s: 200 credits).</summary>
    private static async Task<string> CreateAsync(HttpClient client, bool lastFrame, params string[] urls)
    {
        var (status, body, _) = await client.CreateTaskAsync(new { prompt = "a cat", image_urls = urls, return_last_frame = lastFrame }, model: "seedance-2.0-image-to-video");
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        return (string)body["data"]!["taskId"]!;
    }

    [Fact]
    public async Task Task_FailsWithInputInvalidAndFullRefund_WhenAnInputCannotBeFetched()
    {
        var (server, engine) = await StartAsync();
        await using var _ = server;
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var taskId = await CreateAsync(client, false, media.Url("/img.png"), media.Url("/gone.png"));
        var data = await client.WaitForEndAsync(taskId);

        Assert.Equal(("fail", "input_invalid"), ((string?)data["state"], (string?)data["failCode"]));
        Assert.Equal("input.image_urls[1] could not be fetched (HTTP 404); the cost was refunded", (string?)data["failMsg"]);
        Assert.Equal(1000, await client.CreditsAsync());
        Assert.Empty(engine.Jobs);
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(server.DataDirectory, "work")));
        Assert.False(Directory.Exists(Path.Combine(server.DataDirectory, "results", taskId)), "a failed task's stored inputs are deleted");
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task Task_GivesEngineCheckedInputsAndLastFrameUrl_WhenInputsAreGood()
    {
        var (server, engine) = await StartAsync();
        await using var _ = server;
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var taskId = await CreateAsync(client, true, media.Url("/tall.png"));
        var data = await client.WaitForEndAsync(taskId);

        Assert.Equal("success", (string?)data["state"]);
        var job = Assert.Single(engine.Jobs);
        var input = Assert.Single(job.Media);
        Assert.Equal((1080, 1920, media.Url("/tall.png")), (input.Info.Width, input.Info.Height, input.UpstreamUrl));
        Assert.Equal(("9:16", 720, 1280), (job.Spec.Ratio, job.Spec.Width, job.Spec.Height));
        Assert.NotNull(job.LastFramePath);
        Assert.True(File.Exists(Path.Combine(server.DataDirectory, "results", taskId, "input-0.png")));
        var result = JsonNode.Parse((string)data["resultJson"]!)!.AsObject();
        var lastFrameUrl = (string)result["lastFrameUrl"]!;
        Assert.StartsWith($"{server.BaseAddress.AbsoluteUri}files/{taskId}/lastframe.png?expires=", lastFrameUrl);
        using var file = await client.GetAsync(lastFrameUrl, Ct);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("image/png", file.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1000 - Cost, await client.CreditsAsync());
    }

    [Fact]
    public async Task ResultJson_HasNoLastFrameUrl_WhenNotAskedFor()
    {
        var (server, _) = await StartAsync();
        await using var __ = server;
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var taskId = await CreateAsync(client, false, media.Url("/img.png"));
        var data = await client.WaitForEndAsync(taskId);

        Assert.Equal("success", (string?)data["state"]);
        Assert.Null(JsonNode.Parse((string)data["resultJson"]!)!["lastFrameUrl"]);
    }

    [Fact]
    public async Task Retention_DeletesInputsAndLastFrame_WithTheVideo()
    {
        var (server, _) = await StartAsync(new Dictionary<string, string?>
        {
            ["Reelgate:ResultRetention"] = "00:00:02",
            ["Reelgate:RetentionSweepInterval"] = "00:00:00.200",
        });
        await using var __ = server;
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var taskId = await CreateAsync(client, true, media.Url("/img.png"), media.Url("/tall.png"));
        Assert.Equal("success", (string?)(await client.WaitForEndAsync(taskId))["state"]);
        var files = Path.Combine(server.DataDirectory, "results", taskId);
        Assert.Equal(["input-0.png", "input-1.png", "lastframe.png", "video.mp4"], Directory.GetFiles(files).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(bool)(await client.RecordInfoAsync(taskId))["resultExpired"]!)
        {
            Assert.True(DateTime.UtcNow < deadline, "the result never expired");
            await Task.Delay(200, Ct);
        }

        Assert.False(Directory.Exists(files), "every file of the task expires with the results");
    }

    [Fact]
    public async Task Cancel_WhileInputsAreFetched_LeavesNoStoredInputsOrWorkFiles()
    {
        var (server, engine) = await StartAsync();
        await using var __ = server;
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);
        var taskId = await CreateAsync(client, false, media.Url("/img.png"), media.Url("/slow?cancel=" + Guid.NewGuid().ToString("N")));
        var stored = Path.Combine(server.DataDirectory, "results", taskId, "input-0.png");
        await WaitUntilAsync(() => File.Exists(stored), "the first input was never stored");

        var (status, body, _) = await client.PostRawAsync("/api/v1/jobs/cancel", $$"""{"taskId":"{{taskId}}"}""");

        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        Assert.Equal("cancelled", (string?)(await client.WaitForEndAsync(taskId))["failCode"]);
        await WaitUntilAsync(() => !Directory.Exists(Path.GetDirectoryName(stored)), "the cancelled task's stored inputs stayed");
        await WaitUntilAsync(() => !Directory.EnumerateDirectories(Path.Combine(server.DataDirectory, "work")).Any(), "the claim's input directory stayed");
        Assert.Empty(engine.Jobs);
        Assert.Equal(1000, await client.CreditsAsync());
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string message)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, message);
            await Task.Delay(50, Ct);
        }
    }
}
