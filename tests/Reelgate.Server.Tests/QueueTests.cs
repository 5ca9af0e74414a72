using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Reelgate.Core.Tasks;
using Reelgate.Server.Options;
using Reelgate.Server.Tests.Infrastructure;
using Reelgate.Server.Workers;

namespace Reelgate.Server.Tests;

/// <summary>
/// The queue's guarantee: a task whose worker dies is claimed again after its lease expires,
/// and ends exactly once, charged once, even when generation ran twice.
/// </summary>
public sealed class QueueTests
{
    [Fact]
    public async Task AbandonedTask_IsRerunAndEndsOnceChargedOnce_WhenWorkerDiesMidGeneration()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        ScriptedEngine? engine = null;
        await using var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" },
            s =>
            {
                s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock));
                engine = ScriptedEngine.AddTo(s);
            });
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);
        var (status, created, _) = await client.CreateTaskAsync(new { prompt = "survives a crash", resolution = "480p", duration = 4 });
        Assert.Equal(HttpStatusCode.OK, status);
        var taskId = (string)created["data"]!["taskId"]!;

        // A worker claims the task and dies: it never heartbeats and never finishes.
        var queue = server.Get<ITaskQueue>();
        var options = server.Get<Microsoft.Extensions.Options.IOptions<ReelgateOptions>>().Value;
        var ghost = await queue.ClaimAsync("ghost", Now(clock), options.Lease, options.MaxAttempts, CancellationToken.None);
        Assert.NotNull(ghost);
        Assert.Equal(taskId, ghost.Task.TaskId);
        Assert.Null(await queue.ClaimAsync("other", Now(clock), options.Lease, options.MaxAttempts, CancellationToken.None));

        // Its lease expires; a live worker picks the task up and finishes it.
        clock.Advance(options.Lease + TimeSpan.FromSeconds(1));
        var worker = new WorkerService(queue, server.Get<TaskProcessor>(), server.Get<QueueSignal>(), server.Get<Reelgate.Server.Observability.ReelgateMetrics>(), clock,
            Microsoft.Extensions.Options.Options.Create(new ReelgateOptions { Workers = 1, DataDirectory = server.DataDirectory }),
            NullLogger<WorkerService>.Instance);
        await worker.StartAsync(CancellationToken.None);
        try
        {
            server.Get<QueueSignal>().Pulse();
            var data = await client.WaitForEndAsync(taskId);
            Assert.Equal("success", (string)data["state"]!);
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }

        // The dead worker's late result changes nothing: the task ended once.
        Assert.False(await queue.SucceedAsync(taskId, ghost.LeaseToken, "task_x/video.mp4", null, Now(clock), CancellationToken.None));
        Assert.False(await queue.FailAsync(taskId, ghost.LeaseToken, FailCodes.GenerationFailed, "late", Now(clock), CancellationToken.None));
        var task = await server.Get<ITaskStore>().GetAsync(taskId, CancellationToken.None);
        Assert.Equal(TaskState.Success, task!.State);
        Assert.Equal(2, task.Attempts);
        Assert.Single(engine!.Jobs, j => j.TaskId == taskId);
        Assert.Equal(1000 - 80, await client.CreditsAsync());
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task PoisonTask_FailsWithInternalErrorAndRefund_WhenLeaseExpiresMaxAttemptsTimes()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?> { ["Reelgate:Workers"] = "0", ["Reelgate:MaxAttempts"] = "2" },
            s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);
        var (_, created, _) = await client.CreateTaskAsync(new { prompt = "kills its worker", resolution = "480p", duration = 4 });
        var taskId = (string)created["data"]!["taskId"]!;
        var queue = server.Get<ITaskQueue>();
        var lease = TimeSpan.FromSeconds(30);

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var claimed = await queue.ClaimAsync("crashing", Now(clock), lease, 2, CancellationToken.None);
            Assert.Equal(attempt, claimed!.Attempt);
            clock.Advance(lease + TimeSpan.FromSeconds(1));
        }

        Assert.Null(await queue.ClaimAsync("crashing", Now(clock), lease, 2, CancellationToken.None));
        var data = await client.RecordInfoAsync(taskId);
        Assert.Equal("fail", (string)data["state"]!);
        Assert.Equal("internal_error", (string)data["failCode"]!);
        Assert.Equal(1000, await client.CreditsAsync());
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task ABurst_IsClaimedInBatches_UpToTheIdleSlots_OldestFirst_WhenFourWorkersStart()
    {
        ScriptedEngine? engine = null;
        await using var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" },
            s => engine = ScriptedEngine.AddTo(s));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var (_, created, _) = await client.CreateTaskAsync(new { prompt = $"burst {i}", resolution = "480p", duration = 4 });
            ids.Add((string)created["data"]!["taskId"]!);
        }

        // A node with four idle slots wakes to six queued tasks: its first claim takes four.
        var worker = new WorkerService(server.Get<ITaskQueue>(), server.Get<TaskProcessor>(), server.Get<QueueSignal>(), server.Get<Reelgate.Server.Observability.ReelgateMetrics>(), TimeProvider.System,
            Microsoft.Extensions.Options.Options.Create(new ReelgateOptions { Workers = 4, DataDirectory = server.DataDirectory }),
            NullLogger<WorkerService>.Instance);
        await worker.StartAsync(CancellationToken.None);
        try
        {
            foreach (var id in ids)
            {
                Assert.Equal("success", (string)(await client.WaitForEndAsync(id))["state"]!);
            }
        }
        finally
        {
            await worker.StopAsync(CancellationToken.None);
        }

        var store = server.Get<ITaskStore>();
        var starts = new List<long>();
        foreach (var id in ids)
        {
            starts.Add((await store.GetAsync(id, CancellationToken.None))!.StartTime!.Value);
        }

        Assert.Single(starts.Take(4).Distinct()); // one statement claimed the four oldest
        Assert.All(starts.Skip(4), s => Assert.True(s >= starts[0]));
        Assert.Equal(6, engine!.Jobs.Count);

        using var anonymous = server.NewClient();
        var m = await MetricsScrape.GetAsync(anonymous);
        Assert.Equal(6, m.Value("reelgate_queue_claim_batch_size_sum"));
        Assert.InRange(m.Value("reelgate_queue_claim_batch_size_count") ?? 0, 2, 3); // 4, then the two left as slots free
        Assert.Equal(1, m.Value("reelgate_queue_claim_batch_size_bucket", "le=4") - m.Value("reelgate_queue_claim_batch_size_bucket", "le=3")); // one claim of four
        Assert.Contains("# TYPE reelgate_queue_claim_batch_size histogram", m.Text, StringComparison.Ordinal);
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task ABusyNode_SpendsNoClaimOnWakeUps_AndClaimsTheBacklogAsSlotsFree()
    {
        ScriptedEngine? engine = null;
        await using var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?> { ["Reelgate:Workers"] = "2" },
            s => engine = ScriptedEngine.AddTo(s));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);
        using var anonymous = server.NewClient();
        var ids = new List<string>();
        async Task CreateAsync(string prompt) => ids.Add((string)(await client.CreateTaskAsync(new { prompt, resolution = "480p", duration = 4 })).Body["data"]!["taskId"]!);

        await CreateAsync("[hold] first");
        await CreateAsync("[hold] second");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (engine!.Jobs.Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the two held tasks did not start");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        var claimsWhenBusy = (await MetricsScrape.GetAsync(anonymous)).Value("reelgate_queue_claim_batch_size_count");
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync($"backlog {i}"); // each pulses the node's signal
        }

        // Waiting for something not to happen: a claim would take a task within milliseconds.
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.Equal(claimsWhenBusy, (await MetricsScrape.GetAsync(anonymous)).Value("reelgate_queue_claim_batch_size_count"));
        foreach (var id in ids.Skip(2))
        {
            Assert.False((await server.Get<ITaskStore>().GetAsync(id, CancellationToken.None))!.Running);
        }

        engine.Release();
        foreach (var id in ids)
        {
            Assert.Equal("success", (string)(await client.WaitForEndAsync(id))["state"]!);
        }

        Assert.Equal(5, (await MetricsScrape.GetAsync(anonymous)).Value("reelgate_queue_claim_batch_size_sum"));
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task CreatedTask_SurvivesRestart_WhenServerStopsBeforeGeneration()
    {
        var dir = Path.Combine(Path.GetTempPath(), "reelgate-test-" + Guid.NewGuid().ToString("N"));
        string taskId;
        string apiKey;
        await using (var first = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" }, dataDirectory: dir))
        {
            first.KeepDataDirectory = true;
            (_, _, apiKey) = await first.CreateAccountAsync(1000);
            using var client = first.NewClient(apiKey);
            var (_, created, _) = await client.CreateTaskAsync(new { prompt = "durable", resolution = "480p", duration = 4 });
            taskId = (string)created["data"]!["taskId"]!;
        }

        await using var second = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s), dataDirectory: dir);
        using var again = second.NewClient(apiKey);
        var data = await again.WaitForEndAsync(taskId);
        Assert.Equal("success", (string)data["state"]!);
        Assert.Equal(920, await again.CreditsAsync());
    }

    private static long Now(TimeProvider clock) => clock.GetUtcNow().ToUnixTimeMilliseconds();
}
