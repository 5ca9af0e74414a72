using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Text.Json.Nodes;
using Reelgate.Emulators.ModelArk;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>
/// Real generation upstream, against the ModelArk emulator and a second live Reelgate, over
/// loopback HTTP: the ModelArk adapter (success, every failure kind, 429 storms, 5xx, a lost
/// create answer, cancel), routing with failover and the circuit breaker, and the relay. In
/// every case the client's task is charged once and each attempt is visible to the admin API.
/// </summary>
public sealed class UpstreamEngineTests
{
    private const string Model = "seedance-2.0-text-to-video";
    private static readonly string RenderCache = Directory.CreateTempSubdirectory("reelgate-ark-cache-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ark_Success_StoresTheVideo_RecordsUpstreamIdAndUsage_ChargesOnce()
    {
        await using var ark = await StartArkAsync();
        await using var server = await ReelgateTestServer.StartAsync(Settings(ark, "ark"));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var (_, created, _) = await client.CreateTaskAsync(new { prompt = "a paper boat on a rainy street", resolution = "480p", duration = 4, seed = 1234 });
        var taskId = (string)created["data"]!["taskId"]!;
        var data = await client.WaitForEndAsync(taskId);
        Assert.Equal("success", (string)data["state"]!);
        var cost = (long)data["creditsConsumed"]!;
        Assert.Equal(1000 - cost, await client.CreditsAsync());

        var url = (string)JsonNode.Parse((string)data["resultJson"]!)!["resultUrls"]![0]!;
        var bytes = await new HttpClient().GetByteArrayAsync(url, Ct);
        Assert.Equal("ftyp"u8.ToArray(), bytes[4..8]);
        Assert.NotNull((string?)data["thumbnailUrl"]);

        var upstream = Assert.Single(ark.Tasks);
        Assert.Equal("dreamina-seedance-2-0-260128", upstream.Model);
        Assert.Equal(1234, upstream.Seed);
        Assert.Equal("480p", upstream.Resolution);
        Assert.Equal(4, upstream.Duration);
        Assert.Equal("a paper boat on a rainy street", upstream.Prompt);

        var attempt = Assert.Single(await AttemptsAsync(server, taskId));
        Assert.Equal("ark", (string)attempt["engine"]!);
        Assert.Equal(upstream.Id, (string)attempt["upstreamId"]!);
        Assert.Equal("succeeded", (string)attempt["outcome"]!);
        Assert.Contains("total_tokens", (string)attempt["usage"]!, StringComparison.Ordinal);
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task UpstreamKey_NeverAppearsInLogs_EvenAtTrace_OrInFailMessages()
    {
        const string secret = "ark-secret-key-5f0c1e2d9a7b";
        await using var ark = await ArkEmulator.StartAsync(new ArkEmulatorOptions { ApiKeys = [secret], QueueDelay = TimeSpan.FromMilliseconds(50), RunDuration = TimeSpan.FromMilliseconds(100), RenderCacheDirectory = RenderCache }, Ct);
        var capture = new CapturingLoggerProvider();
        var settings = Settings(ark, "ark");
        settings["Reelgate:Engines:ark:ApiKey"] = secret;
        await using var server = await ReelgateTestServer.StartAsync(settings, s =>
        {
            s.AddSingleton<ILoggerProvider>(capture);
            s.Configure<LoggerFilterOptions>(o => o.MinLevel = LogLevel.Trace);
        });
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);
        var (_, ok, _) = await client.CreateTaskAsync(new { prompt = "a secret garden", resolution = "480p", duration = 4 });
        Assert.Equal("success", (string)(await client.WaitForEndAsync((string)ok["data"]!["taskId"]!))["state"]!);
        var (_, bad, _) = await client.CreateTaskAsync(new { prompt = "[ark:fail=InternalServiceError] a secret garden", resolution = "480p", duration = 4 });
        var failed = await client.WaitForEndAsync((string)bad["data"]!["taskId"]!);
        Assert.DoesNotContain(secret, failed.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await server.Admin.GetStringAsync("/api/admin/engines", Ct), StringComparison.Ordinal);
        Assert.Contains("upstream task", capture.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, capture.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[ark:reject] a storm", "content_policy_violation")]
    [InlineData("[ark:reject-input] a storm", "content_policy_violation")]
    [InlineData("[ark:fail=InternalServiceError] a storm", "upstream_error")]
    [InlineData("[ark:expire] a storm", "upstream_error")]
    [InlineData("[ark:expired] a storm", "upstream_error")]
    public async Task Ark_EachFailureKind_GivesItsFailCode_AndRefunds(string prompt, string failCode)
    {
        await using var ark = await StartArkAsync();
        await using var server = await ReelgateTestServer.StartAsync(Settings(ark, "ark"));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var (_, created, _) = await client.CreateTaskAsync(new { prompt, resolution = "480p", duration = 4 });
        var taskId = (string)created["data"]!["taskId"]!;
        var data = await client.WaitForEndAsync(taskId);
        Assert.Equal("fail", (string)data["state"]!);
        Assert.Equal(failCode, (string)data["failCode"]!);
        Assert.Contains("refunded", (string)data["failMsg"]!, StringComparison.Ordinal);
        Assert.Equal(1000, await client.CreditsAsync());
        var attempt = Assert.Single(await AttemptsAsync(server, taskId));
        Assert.Equal("failed", (string)attempt["outcome"]!);
        Assert.Equal(failCode, (string)attempt["failCode"]!);
        Assert.True(ark.Stats.CreatesAccepted <= 1);
        await server.AssertAuditOkAsync();
    }

    [Theory]
    [InlineData("[ark:429=3] a queue of lanterns", 3)]
    [InlineData("[ark:500=2] a queue of lanterns", 2)]
    public async Task Ark_RefusedCreates_AreRetried_WithoutASecondUpstreamTask(string prompt, int refusals)
    {
        await using var ark = await StartArkAsync();
        ark.Options.RetryAfterSeconds = 1;
        await using var server = await ReelgateTestServer.StartAsync(Settings(ark, "ark"));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var (_, created, _) = await client.CreateTaskAsync(new { prompt, resolution = "480p", duration = 4 });
        var data = await client.WaitForEndAsync((string)created["data"]!["taskId"]!);
        Assert.Equal("success", (string)data["state"]!);
        Assert.Equal(1, ark.Stats.CreatesAccepted);
        Assert.Equal(refusals, ark.Stats.CreatesRefused);
        Assert.Single(ark.Tasks);
    }

    [Fact]
    public async Task Ark_SlowUpstream_Succeeds()
    {
        await using var ark = await StartArkAsync();
        await using var server = await ReelgateTestServer.StartAsync(Settings(ark, "ark"));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var (_, slow, _) = await client.CreateTaskAsync(new { prompt = "[ark:slow=3000] a slow tide", resolution = "480p", duration = 4 });
        var data = await client.WaitForEndAsync((string)slow["data"]!["taskId"]!);
        Assert.Equal("success", (string)data["state"]!);
        Assert.True((long)data["costTime"]! >= 3000);
    }

    [Fact]
    public async Task Ark_UpstreamNeverFinishing_FailsWithTimeout_AndRefunds()
    {
        await using var ark = await StartArkAsync();
        var settings = Settings(ark, "ark");
        settings["Reelgate:EngineTimeout"] = "00:00:02";
        await using var server = await ReelgateTestServer.StartAsync(settings);
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var (_, hung, _) = await client.CreateTaskAsync(new { prompt = "[ark:hang] a tide that never turns", resolution = "480p", duration = 4 });
        var data = await client.WaitForEndAsync((string)hung["data"]!["taskId"]!);
        Assert.Equal("timeout", (string)data["failCode"]!);
        Assert.Equal(1000, await client.CreditsAsync());
    }

    [Fact]
    public async Task Ark_429Storm_OnConcurrentTasks_EveryTaskSucceeds_OneUpstreamTaskEach()
    {
        await using var ark = await StartArkAsync();
        ark.Options.RateLimit429Every = 2;
        ark.Options.RetryAfterSeconds = 1;
        var settings = Settings(ark, "ark");
        settings["Reelgate:Workers"] = "4";
        await using var server = await ReelgateTestServer.StartAsync(settings);
        var (_, _, apiKey) = await server.CreateAccountAsync(10_000);
        using var client = server.NewClient(apiKey);

        var ids = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
            (string)(await client.CreateTaskAsync(new { prompt = $"storm lantern {i}", resolution = "480p", duration = 4 })).Body["data"]!["taskId"]!));
        foreach (var id in ids)
        {
            Assert.Equal("success", (string)(await client.WaitForEndAsync(id))["state"]!);
        }

        Assert.Equal(6, ark.Stats.CreatesAccepted);
        Assert.True(ark.Stats.CreatesRefused >= 3, $"only {ark.Stats.CreatesRefused} creates were refused");
        Assert.Equal(6, ark.Tasks.Select(t => t.Id).Distinct().Count());
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task Ark_Callbacks_WakeThePoll_LongBeforeItsBackoff_AndStrangersAreRefused()
    {
        await using var ark = await StartArkAsync();
        var port = ReelgateTestServer.FreePort();
        var settings = Settings(ark, "ark");
        settings["Reelgate:PublicBaseUrl"] = $"http://127.0.0.1:{port}";
        settings["Reelgate:Engines:ark:Callbacks"] = "true";
        settings["Reelgate:Engines:ark:PollInitial"] = "00:01:00";
        settings["Reelgate:Engines:ark:PollMax"] = "00:01:00";
        await using var server = await ReelgateTestServer.StartAsync(settings, port: port);
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var (_, created, _) = await client.CreateTaskAsync(new { prompt = "a swift reply", resolution = "480p", duration = 4 });
        var data = await client.WaitForEndAsync((string)created["data"]!["taskId"]!, timeoutSeconds: 45);
        Assert.Equal("success", (string)data["state"]!);
        Assert.True((long)data["costTime"]! < 20_000, "the poll waited for its minute-long backoff: no callback woke it");
        Assert.True(ark.Stats.CallbacksDelivered >= 2);
        var callback = Assert.Single(ark.Tasks).CallbackUrl!;
        Assert.StartsWith($"http://127.0.0.1:{port}/hooks/upstream/ark?sig=", callback, StringComparison.Ordinal);

        using var stranger = new HttpClient();
        var forged = callback[..^4] + "AAAA";
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsync(forged, new StringContent("""{"id":"cgt-1"}"""), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await stranger.PostAsync(callback, new StringContent("""{"nothing":1}"""), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stranger.PostAsync(callback, new StringContent("""{"id":"cgt-unknown"}"""), Ct)).StatusCode);
    }

    [Fact]
    public async Task Ark_CreateAnswerLost_FindsAndAdoptsTheUpstreamTask_InsteadOfCreatingAnother()
    {
        await using var ark = await StartArkAsync();
        await using var server = await ReelgateTestServer.StartAsync(Settings(ark, "ark"));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var (_, created, _) = await client.CreateTaskAsync(new { prompt = "[ark:drop=1] a lost letter", resolution = "480p", duration = 4 });
        var taskId = (string)created["data"]!["taskId"]!;
        var data = await client.WaitForEndAsync(taskId);
        Assert.Equal("success", (string)data["state"]!);
        var upstream = Assert.Single(ark.Tasks);
        Assert.Equal(1, ark.Stats.CreatesAccepted);
        Assert.Equal(upstream.Id, (string)Assert.Single(await AttemptsAsync(server, taskId))["upstreamId"]!);
    }

    [Fact]
    public async Task Cancel_WhileQueuedUpstream_CancelsTheUpstreamTask_AndRefunds()
    {
        await using var ark = await StartArkAsync(queueDelay: TimeSpan.FromMinutes(5));
        await using var server = await ReelgateTestServer.StartAsync(Settings(ark, "ark"));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var (_, created, _) = await client.CreateTaskAsync(new { prompt = "a very long queue", resolution = "480p", duration = 4 });
        var taskId = (string)created["data"]!["taskId"]!;
        await WaitUntilAsync(async () => (await AttemptsAsync(server, taskId)).Any(a => a["upstreamId"] is not null));

        var (status, _, _) = await client.PostRawAsync("/api/v1/jobs/cancel", $$"""{"taskId":"{{taskId}}"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        await WaitUntilAsync(() => Task.FromResult(ark.Tasks.Single().Status == "cancelled"));
        Assert.Equal(1000, await client.CreditsAsync());
        await WaitUntilAsync(async () => (string)(await AttemptsAsync(server, taskId)).Single()["outcome"]! == "failed");
    }

    [Fact]
    public async Task Failover_FromAFailingUpstreamToTheBuiltInRenderer_ChargesOnce_AndRecordsBothAttempts()
    {
        await using var ark = await StartArkAsync();
        await using var server = await ReelgateTestServer.StartAsync(Settings(ark, "ark", "builtin"));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var (_, created, _) = await client.CreateTaskAsync(new { prompt = "[ark:fail=InternalServiceError] a lighthouse", resolution = "480p", duration = 4 });
        var taskId = (string)created["data"]!["taskId"]!;
        var data = await client.WaitForEndAsync(taskId);
        Assert.Equal("success", (string)data["state"]!);
        Assert.Equal(1000 - (long)data["creditsConsumed"]!, await client.CreditsAsync());

        var attempts = await AttemptsAsync(server, taskId);
        Assert.Equal(2, attempts.Count);
        Assert.Equal(("ark", "failed_over", "upstream_error"), ((string)attempts[0]["engine"]!, (string)attempts[0]["outcome"]!, (string)attempts[0]["failCode"]!));
        Assert.Equal(("builtin", "succeeded"), ((string)attempts[1]["engine"]!, (string)attempts[1]["outcome"]!));
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task Failover_NeverHappensForARefusedContent()
    {
        await using var ark = await StartArkAsync();
        await using var server = await ReelgateTestServer.StartAsync(Settings(ark, "ark", "builtin"));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var (_, created, _) = await client.CreateTaskAsync(new { prompt = "[ark:reject] a lighthouse", resolution = "480p", duration = 4 });
        var taskId = (string)created["data"]!["taskId"]!;
        Assert.Equal("content_policy_violation", (string)(await client.WaitForEndAsync(taskId))["failCode"]!);
        Assert.Single(await AttemptsAsync(server, taskId));
    }

    [Fact]
    public async Task Breaker_OpensAfterConsecutiveFailures_AndTheRouteSkipsTheEngine()
    {
        await using var ark = await StartArkAsync();
        ark.Options.Fail500Every = 1;
        var settings = Settings(ark, "ark", "builtin");
        settings["Reelgate:Engines:ark:CreateTries"] = "1";
        settings["Reelgate:Breaker:Failures"] = "2";
        settings["Reelgate:Breaker:Cooldown"] = "00:10:00";
        await using var server = await ReelgateTestServer.StartAsync(settings);
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var engines = new List<string[]>();
        for (var i = 0; i < 3; i++)
        {
            var (_, created, _) = await client.CreateTaskAsync(new { prompt = $"a broken upstream {i}", resolution = "480p", duration = 4 });
            var taskId = (string)created["data"]!["taskId"]!;
            Assert.Equal("success", (string)(await client.WaitForEndAsync(taskId))["state"]!);
            engines.Add([.. (await AttemptsAsync(server, taskId)).Select(a => (string)a["engine"]!)]);
        }

        Assert.Equal(["ark", "builtin"], engines[0]);
        Assert.Equal(["ark", "builtin"], engines[1]);
        Assert.Equal(["builtin"], engines[2]);
        var status = JsonNode.Parse(await server.Admin.GetStringAsync("/api/admin/engines", Ct))!["data"]!.AsArray().Single(e => (string)e!["engine"]! == "ark")!;
        Assert.True((bool)status["breakerOpen"]!);
        Assert.Equal(2, (int)status["consecutiveFailures"]!);
    }

    [Fact]
    public async Task Relay_ToASecondLiveReelgate_ChargesEachPlatformOnce_AndStoresTheResultHere()
    {
        await using var peer = await ReelgateTestServer.StartAsync();
        var (_, _, peerKey) = await peer.CreateAccountAsync(1000);
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Reelgate:Engines:peer:Type"] = "relay",
            ["Reelgate:Engines:peer:BaseUrl"] = peer.BaseAddress.ToString(),
            ["Reelgate:Engines:peer:ApiKey"] = peerKey,
            ["Reelgate:Engines:peer:Model"] = Model,
            ["Reelgate:Engines:peer:PollInitial"] = "00:00:00.100",
            ["Reelgate:Engines:peer:PollMax"] = "00:00:00.500",
            [$"Reelgate:Routes:{Model}:0:Engine"] = "peer",
        });
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var (_, created, _) = await client.CreateTaskAsync(new { prompt = "relayed fireflies", resolution = "480p", duration = 4, seed = 77 });
        var taskId = (string)created["data"]!["taskId"]!;
        var data = await client.WaitForEndAsync(taskId);
        Assert.Equal("success", (string)data["state"]!);
        var cost = (long)data["creditsConsumed"]!;
        Assert.Equal(1000 - cost, await client.CreditsAsync());

        // The peer ran one task, for our key there, charged once; our copy is in our store.
        using var peerClient = peer.NewClient(peerKey);
        var attempt = Assert.Single(await AttemptsAsync(server, taskId));
        var peerTask = await peerClient.RecordInfoAsync((string)attempt["upstreamId"]!);
        Assert.Equal("success", (string)peerTask["state"]!);
        Assert.Equal(77, (long)peerTask["seed"]!);
        Assert.Equal(1000 - (long)peerTask["creditsConsumed"]!, await peerClient.CreditsAsync());
        var url = (string)JsonNode.Parse((string)data["resultJson"]!)!["resultUrls"]![0]!;
        Assert.StartsWith(server.BaseAddress.GetLeftPart(UriPartial.Authority), url, StringComparison.Ordinal);
        var ours = await new HttpClient().GetByteArrayAsync(url, Ct);
        var theirs = await new HttpClient().GetByteArrayAsync((string)JsonNode.Parse((string)peerTask["resultJson"]!)!["resultUrls"]![0]!, Ct);
        Assert.Equal(theirs, ours);
        await server.AssertAuditOkAsync();
        await peer.AssertAuditOkAsync();
    }

    private static Task<ArkEmulator> StartArkAsync(TimeSpan? queueDelay = null) =>
        ArkEmulator.StartAsync(
            new ArkEmulatorOptions
            {
                QueueDelay = queueDelay ?? TimeSpan.FromMilliseconds(100),
                RunDuration = TimeSpan.FromMilliseconds(300),
                RenderCacheDirectory = RenderCache,
            },
            Ct);

    private static Dictionary<string, string?> Settings(ArkEmulator ark, params string[] route)
    {
        var s = new Dictionary<string, string?>
        {
            ["Reelgate:Engines:ark:Type"] = "modelark",
            ["Reelgate:Engines:ark:BaseUrl"] = ark.BaseAddress.ToString(),
            ["Reelgate:Engines:ark:ApiKey"] = "ark-test-key",
            ["Reelgate:Engines:ark:Model"] = "dreamina-seedance-2-0-260128",
            ["Reelgate:Engines:ark:PollInitial"] = "00:00:00.100",
            ["Reelgate:Engines:ark:PollMax"] = "00:00:00.400",
        };
        for (var i = 0; i < route.Length; i++)
        {
            s[$"Reelgate:Routes:{Model}:{i}:Engine"] = route[i];
        }

        return s;
    }

    private static async Task<List<JsonNode>> AttemptsAsync(ReelgateTestServer server, string taskId) =>
        [.. JsonNode.Parse(await server.Admin.GetStringAsync($"/api/admin/tasks/{taskId}/attempts", Ct))!["data"]!.AsArray().Select(a => a!)];

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 60 s");
            await Task.Delay(50, Ct);
        }
    }
}
