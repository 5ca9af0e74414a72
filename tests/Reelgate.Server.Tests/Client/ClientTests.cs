using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Reelgate.Client;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests.Client;

/// <summary>Reelgate.Client against a live server over loopback, directly and through a flaky proxy.</summary>
public sealed class ClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ReelgateClientOptions Options(Uri baseUrl, string key) => new()
    {
        BaseUrl = baseUrl,
        ApiKey = key,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        PollInterval = TimeSpan.FromMilliseconds(100),
        MaxPollInterval = TimeSpan.FromMilliseconds(300),
    };

    [Fact]
    public async Task Generate_Wait_Download_ProducesTheServersMp4_WithProgress()
    {
        await using var server = await ReelgateTestServer.StartAsync();
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var client = ReelgateClient.Create(Options(server.BaseAddress, key));
        var before = await client.GetCreditsAsync(Ct);
        var seen = new List<TaskProgress>();

        var task = await client.GenerateAsync(
            new SeedanceTextToVideoInput { Prompt = "a lighthouse at dawn", Resolution = "480p", Duration = 4, Ratio = "16:9", Seed = 7 },
            new SyncProgress<TaskProgress>(seen.Add), Ct);

        Assert.Equal(TaskStates.Success, task.State);
        Assert.Equal(TaskStates.Success, seen[^1].State);
        Assert.Equal(before - task.CreditsConsumed, await client.GetCreditsAsync(Ct));
        var path = Path.Combine(Path.GetTempPath(), $"client-{Guid.NewGuid():N}.mp4");
        try
        {
            long last = 0;
            var saved = await client.DownloadAsync(task, path, new SyncProgress<DownloadProgress>(p => last = p.BytesReceived), Ct);
            var bytes = await File.ReadAllBytesAsync(saved, Ct);
            Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(bytes, 4, 4));
            Assert.Equal(bytes.Length, last);
            Assert.False(File.Exists(path + ".part"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task CreateTask_ThroughRateLimitsResetsAnd5xxAfterCommit_MakesExactlyOneTaskAndOneCharge()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        await using var proxy = await FlakyProxy.StartAsync(server.BaseAddress);
        proxy.Enqueue("/api/v1/jobs/createTask", Fault.TooManyRequests, Fault.ResetBefore, Fault.BadGatewayAfter, Fault.ResetAfter);
        using var client = ReelgateClient.Create(Options(proxy.BaseAddress, key));
        var before = await client.GetCreditsAsync(Ct);

        var watch = Stopwatch.StartNew();
        var id = await client.CreateTaskAsync(new SeedanceTextToVideoInput { Prompt = "once only", Resolution = "480p", Duration = 4 }, ct: Ct);

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(900), "the 429's Retry-After: 1 was not waited out");
        var tries = proxy.Seen.Where(s => s.Path == "/api/v1/jobs/createTask").ToList();
        Assert.Equal(5, tries.Count);
        Assert.Single(tries.Select(t => t.Headers["X-Request-ID"]).Distinct()); // one key for every retry
        var page = await client.ListTasksAsync(ct: Ct);
        var only = Assert.Single(page.Items);
        Assert.Equal(id, only.TaskId);
        Assert.Equal(before - only.CreditsConsumed, await client.GetCreditsAsync(Ct));
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task A_Post_WithoutRequestId_IsNotRetried_After5xx()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        await using var proxy = await FlakyProxy.StartAsync(server.BaseAddress);
        using var client = ReelgateClient.Create(Options(proxy.BaseAddress, key));
        var id = await client.CreateTaskAsync(new SeedanceTextToVideoInput { Prompt = "[hold] cancel me", Resolution = "480p", Duration = 4 }, ct: Ct);
        proxy.Enqueue("/api/v1/jobs/cancel", Fault.BadGatewayAfter);

        var e = await Assert.ThrowsAsync<ReelgateApiException>(() => client.CancelTaskAsync(id, Ct));

        Assert.Equal(502, e.Code);
        Assert.Equal(1, proxy.Count("/api/v1/jobs/cancel"));
        Assert.Equal("cancelled", (await client.GetTaskAsync(id, Ct)).FailCode); // it did happen, once
    }

    [Fact]
    public async Task Errors_AreTypedExceptions_WithCodeAndMsg()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(1);
        using var client = ReelgateClient.Create(Options(server.BaseAddress, key));
        using var stranger = ReelgateClient.Create(Options(server.BaseAddress, "sk-" + new string('a', 40)));

        var poor = await Assert.ThrowsAsync<ReelgateInsufficientCreditsException>(() => client.CreateTaskAsync(new SeedanceTextToVideoInput { Prompt = "x" }, ct: Ct));
        Assert.Equal((402, "insufficient credits"), (poor.Code, poor.ApiMessage));
        var invalid = await Assert.ThrowsAsync<ReelgateValidationException>(() => client.CreateTaskAsync(new SeedanceTextToVideoInput { Prompt = "x", Duration = 99 }, ct: Ct));
        Assert.Equal(422, invalid.Code);
        Assert.Contains("duration", invalid.ApiMessage, StringComparison.Ordinal);
        var raw = await Assert.ThrowsAsync<ReelgateValidationException>(() => client.CreateTaskAsync("no-such-model", new JsonObject { ["prompt"] = "x" }, ct: Ct));
        Assert.Equal("model is not supported", raw.ApiMessage);
        await Assert.ThrowsAsync<ReelgateNotFoundException>(() => client.GetTaskAsync("task_0000000000000000deadbeefdeadbeef", Ct));
        await Assert.ThrowsAsync<ReelgateNotFoundException>(() => client.WaitAsync("task_0000000000000000deadbeefdeadbeef", ct: Ct));
        var auth = await Assert.ThrowsAsync<ReelgateAuthenticationException>(() => stranger.GetCreditsAsync(Ct));
        Assert.Equal("authentication failed", auth.ApiMessage);
    }

    [Fact]
    public async Task Wait_ReportsThePlaceInTheQueue_WhileTheTaskIsQueued_ThenNone()
    {
        var engine = default(ScriptedEngine);
        await using var server = await ReelgateTestServer.StartAsync(services: s => engine = ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var client = ReelgateClient.Create(Options(server.BaseAddress, key));
        var running = await client.CreateTaskAsync(new SeedanceTextToVideoInput { Prompt = "[hold] running", Resolution = "480p", Duration = 4 }, ct: Ct);
        await engine!.Started.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);
        var ahead = await client.CreateTaskAsync(new SeedanceTextToVideoInput { Prompt = "[hold] ahead", Resolution = "480p", Duration = 4 }, ct: Ct);
        var id = await client.CreateTaskAsync(new SeedanceTextToVideoInput { Prompt = "behind", Resolution = "480p", Duration = 4 }, ct: Ct);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<TaskProgress>();

        var wait = client.WaitAsync(id, new SyncProgress<TaskProgress>(seen.Enqueue), Ct);
        await Until(() => seen.Any(p => p.QueuePosition == 2));
        await client.CancelTaskAsync(running, Ct); // the worker takes the task ahead: one step
        await Until(() => seen.Any(p => p.QueuePosition == 1));
        await client.CancelTaskAsync(ahead, Ct); // then this one: it starts
        var task = await wait;

        Assert.Equal(TaskStates.Success, task.State);
        Assert.Equal([2, 1], seen.Where(p => p.QueuePosition is not null).Select(p => p.QueuePosition!.Value));
        Assert.All(seen.SkipWhile(p => p.QueuePosition is not null), p => Assert.Null(p.QueuePosition));
        Assert.Equal((TaskStates.Success, null), (seen.Last().State, seen.Last().QueuePosition));
        Assert.Null(task.QueuePosition);

        static async Task Until(Func<bool> condition)
        {
            for (var i = 0; !condition(); i++)
            {
                Assert.True(i < 600, "no such progress report within a minute");
                await Task.Delay(100, Ct);
            }
        }
    }

    [Fact]
    public async Task Wait_FallsBackToPolling_WhereThePlatformHasNoEventStream()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        await using var proxy = await FlakyProxy.StartAsync(server.BaseAddress);
        proxy.Enqueue("/api/v1/jobs/events", Fault.NotFoundHtml, Fault.NotFoundHtml, Fault.NotFoundHtml);
        using var client = ReelgateClient.Create(Options(proxy.BaseAddress, key));
        var id = await client.CreateTaskAsync(new SeedanceTextToVideoInput { Prompt = "[fail] scripted", Resolution = "480p", Duration = 4 }, ct: Ct);

        var task = await client.WaitAsync(id, ct: Ct);

        Assert.Equal(TaskStates.Fail, task.State);
        Assert.Equal(1, proxy.Count("/api/v1/jobs/events")); // tried once, then remembered
        Assert.True(proxy.Count("/api/v1/jobs/recordInfo") >= 2);
        var failed = Assert.Throws<ReelgateTaskFailedException>(() => task.EnsureSucceeded());
        Assert.Equal("generation_failed", failed.FailCode);
    }

    [Fact]
    public async Task Download_ResumesAPartFile_AndACutConnection_ByRange()
    {
        await using var server = await ReelgateTestServer.StartAsync();
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var direct = ReelgateClient.Create(Options(server.BaseAddress, key));
        var task = await direct.GenerateAsync(new SeedanceTextToVideoInput { Prompt = "resume me", Resolution = "480p", Duration = 4 }, ct: Ct);
        var expected = await (await server.NewClient().GetAsync(task.ResultUrls[0], Ct)).Content.ReadAsByteArrayAsync(Ct);

        // The result URL points at the server; route it through the proxy to cut it.
        await using var proxy = await FlakyProxy.StartAsync(server.BaseAddress);
        using var client = ReelgateClient.Create(Options(proxy.BaseAddress, key));
        var viaProxy = new Uri(proxy.BaseAddress, new Uri(task.ResultUrls[0]).PathAndQuery).ToString();
        var path = Path.Combine(Path.GetTempPath(), $"resume-{Guid.NewGuid():N}.mp4");
        try
        {
            await File.WriteAllBytesAsync(path + ".part", expected.AsSpan(0, 1000).ToArray(), Ct);
            proxy.Enqueue("/files/", Fault.TruncateBody);
            await client.DownloadAsync(viaProxy, path, ct: Ct);

            Assert.Equal(expected, await File.ReadAllBytesAsync(path, Ct));
            var ranges = proxy.Seen.Where(s => s.Path.StartsWith("/files/", StringComparison.Ordinal)).Select(s => s.Headers.GetValueOrDefault("Range")).ToList();
            Assert.Equal(2, ranges.Count);
            Assert.Equal("bytes=1000-", ranges[0]);
            Assert.StartsWith("bytes=", ranges[1]);
            Assert.NotEqual("bytes=1000-", ranges[1]); // the second try resumed after what the cut one delivered
            Assert.DoesNotContain(proxy.Seen.Where(s => s.Path.StartsWith("/files/", StringComparison.Ordinal)), s => s.Headers.ContainsKey("Authorization"));
        }
        finally
        {
            File.Delete(path);
            File.Delete(path + ".part");
        }
    }

    [Fact]
    public async Task AddReelgateClient_ResolvesAWorkingClient_FromIHttpClientFactory()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(4321);
        var services = new ServiceCollection();
        services.AddReelgateClient(o =>
        {
            o.BaseUrl = server.BaseAddress;
            o.ApiKey = key;
        });
        await using var sp = services.BuildServiceProvider();

        var client = sp.GetRequiredService<ReelgateClient>();

        Assert.Equal(4321, await client.GetCreditsAsync(Ct));
        Assert.Contains(await client.ListModelsAsync(Ct), m => (string?)m?["id"] == SeedanceTextToVideoInput.ModelId);
    }

    /// <summary>IProgress that reports on the caller's thread (Progress&lt;T&gt; posts to the pool).</summary>
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value)
        {
            lock (this)
            {
                report(value);
            }
        }
    }
}
