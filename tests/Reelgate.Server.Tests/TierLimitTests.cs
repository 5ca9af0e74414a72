using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>Rate limits per tier, both windows, with a fake clock; and the active-task limit.</summary>
public sealed class TierLimitTests
{
    private static async Task<(ReelgateTestServer Server, FakeTimeProvider Clock)> StartAsync(DateTimeOffset start)
    {
        var clock = new FakeTimeProvider(start);
        var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Reelgate:Workers"] = "0",
                ["Reelgate:Tiers:tiny:CreatePerSecond"] = "100",
                ["Reelgate:Tiers:tiny:CreatePerMinute"] = "3",
                ["Reelgate:Tiers:tiny:ReadPerSecond"] = "2",
                ["Reelgate:Tiers:tiny:ReadPerMinute"] = "4",
                ["Reelgate:Tiers:tiny:ActiveTasks"] = "100",
            },
            s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        return (server, clock);
    }

    [Fact]
    public async Task CreateTask_Returns429WithRetryAfterAndLimitBody_WhenFreeTierSecondWindowIsFull()
    {
        var (server, clock) = await StartAsync(new DateTimeOffset(2026, 11, 24, 12, 0, 10, 500, TimeSpan.Zero));
        await using var _ = server;
        var (_, _, key) = await server.CreateAccountAsync(10_000, "free");
        using var client = server.NewClient(key);

        var (first, _, _) = await client.CreateTaskAsync(new { prompt = "one" });
        Assert.Equal(HttpStatusCode.OK, first);
        clock.Advance(TimeSpan.FromSeconds(1)); // the free tier allows 1 active task: let the limit under test be the rate
        var (status, body, response) = await client.CreateTaskAsync(new { prompt = "two" });
        Assert.NotEqual(HttpStatusCode.TooManyRequests, status);

        var (limited, limitedBody, limitedResponse) = await client.CreateTaskAsync(new { prompt = "three" });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited);
        Assert.Equal("1", limitedResponse.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"code":429,"msg":"rate limit exceeded","data":{"retryAfter":1,"limit":1,"tier":"free","windowSeconds":1}}"""),
            limitedBody));
        Assert.NotNull(response);
        Assert.NotNull(body);
    }

    [Fact]
    public async Task CreateTask_ReportsMinuteWindowAndChargesNothing_WhenMinuteWindowIsFull()
    {
        var (server, clock) = await StartAsync(new DateTimeOffset(2026, 11, 24, 12, 0, 43, TimeSpan.Zero));
        await using var _ = server;
        var (_, _, key) = await server.CreateAccountAsync(10_000, "tiny");
        var (_, _, otherKey) = await server.CreateAccountAsync(10_000, "tiny");
        using var client = server.NewClient(key);
        using var other = server.NewClient(otherKey);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.CreateTaskAsync(new { prompt = $"ok {i}", resolution = "480p", duration = 4 })).Status);
        }

        var (status, body, response) = await client.CreateTaskAsync(new { prompt = "refused", resolution = "480p", duration = 4 });
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal(17, (int)body["data"]!["retryAfter"]!);
        Assert.Equal(3, (int)body["data"]!["limit"]!);
        Assert.Equal("tiny", (string)body["data"]!["tier"]!);
        Assert.Equal(60, (int)body["data"]!["windowSeconds"]!);
        Assert.Equal(TimeSpan.FromSeconds(17), response.Headers.RetryAfter!.Delta);
        Assert.Equal(10_000 - (3 * 80), await client.CreditsAsync());

        // Limits are per key, and reads have their own bucket.
        Assert.Equal(HttpStatusCode.OK, (await other.CreateTaskAsync(new { prompt = "other key", resolution = "480p", duration = 4 })).Status);
        clock.Advance(TimeSpan.FromSeconds(17));
        Assert.Equal(HttpStatusCode.OK, (await client.CreateTaskAsync(new { prompt = "next minute", resolution = "480p", duration = 4 })).Status);
    }

    [Fact]
    public async Task ReadCalls_AreLimitedByTheirOwnBucket_BothWindows()
    {
        var (server, clock) = await StartAsync(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        await using var _ = server;
        var (_, _, key) = await server.CreateAccountAsync(10_000, "tiny");
        using var client = server.NewClient(key);

        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync("/api/v1/chat/credit")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetJsonAsync("/api/v1/jobs/recordInfo?taskId=task_x")).Status);
        var (s1, b1, _) = await client.GetJsonAsync("/api/v1/chat/credit");
        Assert.Equal(HttpStatusCode.TooManyRequests, s1);
        Assert.Equal(1, (int)b1["data"]!["windowSeconds"]!);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync("/api/v1/chat/credit")).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync("/api/v1/chat/credit")).Status);
        clock.Advance(TimeSpan.FromSeconds(1));
        var (s2, b2, _) = await client.GetJsonAsync("/api/v1/chat/credit");
        Assert.Equal(HttpStatusCode.TooManyRequests, s2);
        Assert.Equal(60, (int)b2["data"]!["windowSeconds"]!);
        Assert.Equal(58, (int)b2["data"]!["retryAfter"]!);

        // createTask is a different bucket: still allowed.
        Assert.Equal(HttpStatusCode.OK, (await client.CreateTaskAsync(new { prompt = "create still fine", resolution = "480p", duration = 4 })).Status);
    }

    [Fact]
    public async Task CreateTask_Returns409ActiveLimit_WhenFreeKeyHasOneWaitingTask()
    {
        var (server, clock) = await StartAsync(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        await using var _ = server;
        var (_, _, key) = await server.CreateAccountAsync(10_000, "free");
        using var client = server.NewClient(key);
        Assert.Equal(HttpStatusCode.OK, (await client.CreateTaskAsync(new { prompt = "first", resolution = "480p", duration = 4 })).Status);
        clock.Advance(TimeSpan.FromSeconds(2));
        var (status, body, _) = await client.CreateTaskAsync(new { prompt = "second", resolution = "480p", duration = 4 });
        JsonBody.AssertError(status, body, 409, "active task limit exceeded");
        Assert.Equal(10_000 - 80, await client.CreditsAsync());
    }
}
