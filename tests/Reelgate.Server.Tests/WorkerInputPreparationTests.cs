using System.Net;
using System.Text.Json.Nodes;
using Reelgate.Core.Catalog;
using Reelgate.Core.Media;
using Reelgate.Core.Tasks;
using Reelgate.Server.Tests.Infrastructure;
using Reelgate.Server.Workers;

namespace Reelgate.Server.Tests;

/// <summary>
/// The worker with media inputs, end to end on a real server: a bad input fails the task with
/// input_invalid and a full refund before any engine runs; good inputs reach the engine as
/// checked files, and return_last_frame gives a signed lastFrameUrl. The task is stored with a
/// media spec directly, as the task creator stores it (the catalog's image-to-video models come
/// with create-time validation).
/// </summary>
public sealed class WorkerInputPreparationTests(MediaServer media) : IClassFixture<MediaServer>
{
    private const long Cost = 200;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(ReelgateTestServer Server, ScriptedEngine Engine)> StartAsync()
    {
        ScriptedEngine? engine = null;
        var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?> { ["Reelgate:Inputs:AllowedHosts:0"] = "localhost" },
            s => engine = ScriptedEngine.AddTo(s));
        return (server, engine!);
    }

    /// <summary>Stores a waiting task whose spec has these image inputs (the first a first frame) and wakes the workers.</summary>
    private static async Task<string> CreateAsync(ReelgateTestServer server, string accountId, string keyId, bool lastFrame, params string[] urls)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var spec = new GenerationSpec("seedance-2.0-text-to-video", "a cat", "adaptive", "720p", 0, 0, 24, 5, false, 7, false)
        {
            Media = [.. urls.Select((u, i) => new MediaInput(i == 0 ? MediaRoles.FirstFrame : MediaRoles.ReferenceImage, "image_urls", i, u))],
            ReturnLastFrame = lastFrame,
        };
        var outcome = await server.Get<ITaskStore>().CreateAsync(new NewTask
        {
            TaskId = TaskIds.New(now),
            AccountId = accountId,
            KeyId = keyId,
            Model = spec.Model,
            Param = "{}",
            Input = "{}",
            Spec = spec,
            Cost = Cost,
            Seed = spec.Seed,
            Now = now,
        }, Ct);
        Assert.Equal(CreateTaskStatus.Created, outcome.Status);
        server.Get<QueueSignal>().Pulse();
        return outcome.TaskId!;
    }

    [Fact]
    public async Task Task_FailsWithInputInvalidAndFullRefund_WhenAnInputCannotBeFetched()
    {
        var (server, engine) = await StartAsync();
        await using var _ = server;
        var (accountId, keyId, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var taskId = await CreateAsync(server, accountId, keyId, false, media.Url("/img.png"), media.Url("/gone.png"));
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
        var (accountId, keyId, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var taskId = await CreateAsync(server, accountId, keyId, true, media.Url("/tall.png"));
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
        var (accountId, keyId, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var taskId = await CreateAsync(server, accountId, keyId, false, media.Url("/img.png"));
        var data = await client.WaitForEndAsync(taskId);

        Assert.Equal("success", (string?)data["state"]);
        Assert.Null(JsonNode.Parse((string)data["resultJson"]!)!["lastFrameUrl"]);
    }
}
