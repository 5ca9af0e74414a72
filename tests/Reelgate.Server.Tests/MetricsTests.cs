using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Reelgate.Server.Tests.Infrastructure;
using Reelgate.Testing;

namespace Reelgate.Server.Tests;

/// <summary>
/// <c>GET /metrics</c> over real HTTP: the counters, histograms and gauges of docs/operations.md
/// with their labels and values, after tasks that succeed and fail in different ways. Exact
/// values hold although other test classes run servers in the same process: each host exports
/// only its own meters.
/// </summary>
public sealed class MetricsTests
{
    private const string Model = "seedance-2.0-text-to-video";

    [Fact]
    public async Task Metrics_CountTasksCreditsEnginesCallbacksAndHttp_AfterASuccessAnEngineFailureAndAPolicyFailure()
    {
        await using var receiver = await CallbackReceiver.StartAsync(500);
        await using var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Reelgate:Callbacks:AllowedHosts:0"] = "127.0.0.1",
                ["Reelgate:Callbacks:RetrySchedule:0"] = "00:00:00.200",
            },
            s => ScriptedEngine.AddTo(s));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var (_, ok, _) = await client.PostRawAsync("/api/v1/jobs/createTask",
            $$"""{"model":"{{Model}}","input":{"prompt":"a calm lake","resolution":"480p","duration":4},"callBackUrl":"{{receiver.Address}}hook"}""");
        Assert.Equal("success", (string)(await client.WaitForEndAsync((string)ok["data"]!["taskId"]!))["state"]!);
        var (_, engineFail, _) = await client.CreateTaskAsync(new { prompt = "[fail] a storm", resolution = "480p", duration = 4 });
        Assert.Equal("generation_failed", (string)(await client.WaitForEndAsync((string)engineFail["data"]!["taskId"]!))["failCode"]!);
        var (_, policy, _) = await client.CreateTaskAsync(new { prompt = "A NUDE statue in a museum", nsfw_checker = true, resolution = "480p", duration = 4 });
        Assert.Equal("content_policy_violation", (string)(await client.WaitForEndAsync((string)policy["data"]!["taskId"]!))["failCode"]!);
        await receiver.WaitForAsync(2);
        var spent = 1000 - await client.CreditsAsync();

        using var anonymous = server.NewClient();
        var m = await MetricsScrape.WaitForAsync(anonymous, s => s.Value("reelgate_callback_deliveries_total", "outcome=delivered") == 1);

        Assert.Equal(3, m.Value("reelgate_tasks_created_total", "model=" + Model));
        Assert.Equal(1, m.Value("reelgate_tasks_ended_total", "model=" + Model, "state=success", "fail_code="));
        Assert.Equal(1, m.Value("reelgate_tasks_ended_total", "model=" + Model, "state=fail", "fail_code=generation_failed"));
        Assert.Equal(1, m.Value("reelgate_tasks_ended_total", "model=" + Model, "state=fail", "fail_code=content_policy_violation"));

        // Three tasks of the same price charged; the two failures refunded.
        var charged = m.Value("reelgate_credits_charged_total", "model=" + Model);
        var refunded = m.Value("reelgate_credits_refunded_total", "model=" + Model);
        Assert.Equal(spent * 3, charged);
        Assert.Equal(spent * 2, refunded);

        Assert.Equal(1, m.Value("reelgate_engine_attempts_total", "engine=builtin", "outcome=succeeded"));
        Assert.Equal(1, m.Value("reelgate_engine_attempts_total", "engine=builtin", "outcome=failed"));
        Assert.Equal(1, m.Value("reelgate_engine_failures_total", "engine=builtin", "fail_code=generation_failed"));
        Assert.Equal(1, m.Value("reelgate_generation_duration_seconds_count", "engine=builtin", "outcome=succeeded"));
        Assert.Equal(1, m.Value("reelgate_generation_duration_seconds_count", "engine=builtin", "outcome=failed"));
        Assert.Equal(1, m.Value("reelgate_generation_duration_seconds_bucket", "engine=builtin", "outcome=succeeded", "le=+Inf"));

        // Where the workers' time went: three claims; two engine runs (one succeeded, one failed,
        // the policy refusal never reached an engine); store and commit for the one success only.
        Assert.Equal(3, m.Value("reelgate_task_stage_duration_seconds_count", "stage=claim"));
        Assert.Equal(2, m.Value("reelgate_task_stage_duration_seconds_count", "stage=prepare"));
        Assert.Equal(2, m.Value("reelgate_task_stage_duration_seconds_count", "stage=render"));
        Assert.Equal(1, m.Value("reelgate_task_stage_duration_seconds_count", "stage=finish"));
        Assert.Equal(1, m.Value("reelgate_task_stage_duration_seconds_count", "stage=store"));
        Assert.Equal(1, m.Value("reelgate_task_stage_duration_seconds_count", "stage=commit"));
        Assert.True(m.Value("reelgate_task_stage_duration_seconds_sum", "stage=render") > 0);

        // Every task was claimed once (the policy check runs after the claim).
        Assert.Equal(3, m.Value("reelgate_task_pickup_latency_seconds_count"));
        Assert.True(m.Value("reelgate_task_pickup_latency_seconds_sum") >= 0);

        Assert.Equal(1, m.Value("reelgate_callback_deliveries_total", "outcome=retry"));
        Assert.Null(m.Value("reelgate_callback_deliveries_total", "outcome=failed"));

        Assert.Equal(0, m.Value("reelgate_queue_depth", "state=queued"));
        Assert.Equal(0, m.Value("reelgate_queue_depth", "state=generating"));
        Assert.Equal(0, m.Value("reelgate_queue_oldest_age_seconds"));

        Assert.True(m.Value("http_server_request_duration_seconds_count",
            "http_route=/api/v1/jobs/createTask", "http_request_method=POST", "http_response_status_code=200") >= 3);
        Assert.Contains("# TYPE reelgate_tasks_created_total counter", m.Text, StringComparison.Ordinal);
        Assert.Contains("# TYPE reelgate_task_pickup_latency_seconds histogram", m.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(apiKey, m.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(ReelgateTestServer.AdminKey, m.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueueGauges_ShowWaitingTasksAndTheOldestAge_ReadAtMostEveryFiveSeconds()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" },
            s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);
        using var anonymous = server.NewClient();
        await client.CreateTaskAsync(new { prompt = "first in line", resolution = "480p", duration = 4 });
        await client.CreateTaskAsync(new { prompt = "second in line", resolution = "480p", duration = 4 });

        var first = await MetricsScrape.GetAsync(anonymous);
        Assert.Equal(2, first.Value("reelgate_queue_depth", "state=queued"));
        Assert.Equal(0, first.Value("reelgate_queue_depth", "state=generating"));
        Assert.Equal(0, first.Value("reelgate_queue_oldest_age_seconds"));

        // Within the cache: a new task is not seen yet, but the age grows with the clock.
        clock.Advance(TimeSpan.FromSeconds(3));
        await client.CreateTaskAsync(new { prompt = "third in line", resolution = "480p", duration = 4 });
        var cached = await MetricsScrape.GetAsync(anonymous);
        Assert.Equal(2, cached.Value("reelgate_queue_depth", "state=queued"));
        Assert.Equal(3, cached.Value("reelgate_queue_oldest_age_seconds"));

        clock.Advance(TimeSpan.FromSeconds(87));
        var later = await MetricsScrape.GetAsync(anonymous);
        Assert.Equal(3, later.Value("reelgate_queue_depth", "state=queued"));
        Assert.Equal(90, later.Value("reelgate_queue_oldest_age_seconds"));
    }

    [Fact]
    public async Task Metrics_Are404_WhenDisabled_AndEachHostExportsOnlyItsOwnNumbers()
    {
        await using var other = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        await using var disabled = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Metrics:Enabled"] = "false", ["Reelgate:Workers"] = "0" });
        var (_, _, apiKey) = await disabled.CreateAccountAsync(1000);
        using (var client = disabled.NewClient(apiKey))
        {
            var (status, _, _) = await client.CreateTaskAsync(new { prompt = "counted nowhere", resolution = "480p", duration = 4 });
            Assert.Equal(HttpStatusCode.OK, status);
        }

        using var anonymous = disabled.NewClient();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/metrics", TestContext.Current.CancellationToken)).StatusCode);

        // The other host in this process, listening all along, did not count the first one's task.
        using var otherClient = other.NewClient();
        var scrape = await MetricsScrape.GetAsync(otherClient);
        Assert.Empty(scrape.Matching("reelgate_tasks_created_total"));
        Assert.Empty(scrape.Matching("reelgate_credits_charged_total"));
    }

    [Fact]
    public async Task RateLimiterUnavailable_IsExported_WhenRedisCannotBeReached()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Reelgate:Workers"] = "0",
            ["ConnectionStrings:Redis"] = "127.0.0.1:1,connectTimeout=200",
        });
        var (_, _, apiKey) = await server.CreateAccountAsync(1000, tier: "basic"); // a tier with rate limits asks Redis
        using var client = server.NewClient(apiKey);
        Assert.Equal(1000, await client.CreditsAsync()); // fails open: served, and counted

        var m = await MetricsScrape.WaitForAsync(server.NewClient(), s => s.Value("reelgate_rate_limiter_unavailable_total") >= 1);
        Assert.Contains("# TYPE reelgate_rate_limiter_unavailable_total counter", m.Text, StringComparison.Ordinal);
    }
}
