using System.Net;
using Microsoft.Extensions.Time.Testing;
using Reelgate.Server.Tests.Infrastructure;
using Reelgate.Server.Workers;

namespace Reelgate.Server.Tests;

/// <summary>recordInfo's queuePosition and etaSeconds for a waiting task not yet started (issue 23, item 3).</summary>
public sealed class QueuePositionTests
{
    [Fact]
    public async Task RecordInfo_ShowsTheBacklogPosition_DecreasingToOne_ThenNoneOnceTheTaskStarts()
    {
        var engine = default(ScriptedEngine);
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "1" }, s => engine = ScriptedEngine.AddTo(s));
        var (_, _, apiKey) = await server.CreateAccountAsync(5000);
        using var client = server.NewClient(apiKey);

        // The one worker is busy with a held task; three more wait behind it.
        var (_, held, _) = await client.CreateTaskAsync(new { prompt = "first [hold]", resolution = "480p", duration = 4 });
        var heldId = (string)held["data"]!["taskId"]!;
        await engine!.Started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Null((await client.RecordInfoAsync(heldId))["queuePosition"]);

        var waiting = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var (status, created, _) = await client.CreateTaskAsync(new { prompt = $"behind {i}", resolution = "480p", duration = 4 });
            Assert.Equal(HttpStatusCode.OK, status);
            waiting.Add((string)created["data"]!["taskId"]!);
        }

        for (var i = 0; i < 3; i++)
        {
            var data = await client.RecordInfoAsync(waiting[i]);
            Assert.Equal(i + 1, (int)data["queuePosition"]!);
            Assert.Null(data["etaSeconds"]); // no completion seen yet: unknown, so absent
        }

        // The head leaves the queue (cancelled): the others move up, the last to 2.
        var (cancelled, _, _) = await client.PostRawAsync("/api/v1/jobs/cancel", $$"""{"taskId":"{{waiting[0]}}"}""");
        Assert.Equal(HttpStatusCode.OK, cancelled);
        Assert.Equal(1, (int)(await client.RecordInfoAsync(waiting[1]))["queuePosition"]!);
        Assert.Equal(2, (int)(await client.RecordInfoAsync(waiting[2]))["queuePosition"]!);

        // The worker frees: every task starts and ends; a finished task has no position.
        engine.Release();
        foreach (var id in new[] { heldId, waiting[1], waiting[2] })
        {
            var ended = await client.WaitForEndAsync(id);
            Assert.Equal("success", (string)ended["state"]!);
            Assert.Null(ended["queuePosition"]);
        }
    }

    [Fact]
    public void Eta_IsUnknownUntilTwoCompletions_ThenPositionOverTheRecentRate()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-03T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var eta = new QueueEta(time);
        Assert.Null(eta.Estimate("m", 3));
        eta.Completed("m");
        Assert.Null(eta.Estimate("m", 3));

        // Four completions 10 s apart: 4 over 40 s (first to now) = 0.1/s, so position 3 is 30 s away.
        for (var i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            eta.Completed("m");
        }

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(30, eta.Estimate("m", 3));
        Assert.Null(eta.Estimate("other", 1));

        // Past the five-minute window the rate is forgotten.
        time.Advance(TimeSpan.FromMinutes(6));
        Assert.Null(eta.Estimate("m", 1));
    }
}
