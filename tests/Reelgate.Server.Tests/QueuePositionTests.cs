using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Reelgate.Server.Tests.Infrastructure;
using Reelgate.Server.Workers;

namespace Reelgate.Server.Tests;

/// <summary>recordInfo's and the task event stream's queuePosition and etaSeconds for a waiting task not yet started (issue 23, item 3).</summary>
public sealed class QueuePositionTests
{
    /// <summary>The next event's id line and data, or null when the stream ended (generous timeout: a step waits for a claim).</summary>
    private static async Task<(string? Id, JsonObject Data)?> NextEventAsync(StreamReader reader)
    {
        string? id = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return (id, JsonNode.Parse(line[6..])!.AsObject());
            }
        }

        return null;
    }

    [Fact]
    public async Task TaskStream_CarriesThePosition_AnEventPerStepDownToOne_ThenNoneOnceTheTaskStarts()
    {
        var engine = default(ScriptedEngine);
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "1" }, s => engine = ScriptedEngine.AddTo(s));
        var (_, _, apiKey) = await server.CreateAccountAsync(10_000);
        using var client = server.NewClient(apiKey);

        // Two successes first, so this node knows the model's completion rate and can give an eta.
        for (var i = 0; i < 2; i++)
        {
            var (_, done, _) = await client.CreateTaskAsync(new { prompt = $"warm-up {i}", resolution = "480p", duration = 4 });
            Assert.Equal("success", (string)(await client.WaitForEndAsync((string)done["data"]!["taskId"]!))["state"]!);
        }

        // The one worker runs a held task; three more held tasks and the watched one wait behind it.
        var held = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var (status, created, _) = await client.CreateTaskAsync(new { prompt = $"[hold] ahead {i}", resolution = "480p", duration = 4 });
            Assert.Equal(HttpStatusCode.OK, status);
            held.Add((string)created["data"]!["taskId"]!);
            for (var waited = 0; i == 0 && !engine!.Jobs.Any(j => j.TaskId == held[0]); waited++)
            {
                Assert.True(waited < 600, "the first held task never started");
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }

        var (_, watched, _) = await client.CreateTaskAsync(new { prompt = "watched", resolution = "480p", duration = 4 });
        var taskId = (string)watched["data"]!["taskId"]!;
        Assert.Equal(4, (int)(await client.RecordInfoAsync(taskId))["queuePosition"]!);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/jobs/events?taskId=" + taskId);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));

        // The first event is the state now, with the place in the queue.
        var events = new List<JsonObject>();
        var first = (await NextEventAsync(reader))!.Value;
        Assert.NotNull(first.Id);
        events.Add(first.Data);
        Assert.Equal(4, (int)first.Data["queuePosition"]!);

        // Cancelling the running task lets the worker claim the next one: the watched task moves up a step each time.
        foreach (var id in held)
        {
            var (cancelled, _, _) = await client.PostRawAsync("/api/v1/jobs/cancel", $$"""{"taskId":"{{id}}"}""");
            Assert.Equal(HttpStatusCode.OK, cancelled);
            if (id == held[^1])
            {
                break; // the watched task is next: its claim is the start
            }

            var moved = (await NextEventAsync(reader))!.Value;
            Assert.NotNull(moved.Id);
            events.Add(moved.Data);
            Assert.True(moved.Data.ContainsKey("queuePosition"), moved.Data.ToJsonString());
        }

        while (await NextEventAsync(reader) is { } e)
        {
            events.Add(e.Data);
        }

        Assert.All(events, e => Assert.Equal(taskId, (string)e["taskId"]!));
        var queued = events.TakeWhile(e => e.ContainsKey("queuePosition")).ToList();
        Assert.Equal([4, 3, 2, 1], queued.Select(e => (int)e["queuePosition"]!));
        Assert.All(queued, e => Assert.Equal(("waiting", 0), ((string)e["state"]!, (int)e["progress"]!)));
        Assert.All(queued, e => Assert.True((double)e["etaSeconds"]! > 0, e.ToJsonString()));

        // Then the start and the normal events, none with a position or an eta, up to success.
        var started = events.Skip(queued.Count).ToList();
        Assert.NotEmpty(started);
        Assert.All(started, e => Assert.False(e.ContainsKey("queuePosition") || e.ContainsKey("etaSeconds"), e.ToJsonString()));
        Assert.Equal(("success", 100), ((string)started[^1]["state"]!, (int)started[^1]["progress"]!));
        Assert.Null((await client.RecordInfoAsync(taskId))["queuePosition"]);
    }

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
