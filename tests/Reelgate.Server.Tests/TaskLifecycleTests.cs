using System.Net;
using System.Text.Json.Nodes;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>List with keyset pagination, cancel in every state, and the models call.</summary>
public sealed class TaskLifecycleTests
{
    [Fact]
    public async Task List_PagesNewestFirstWithoutGapsOrRepeats_WhileTasksAreInserted()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (_, _, key) = await server.CreateAccountAsync(1_000_000);
        var (_, _, otherKey) = await server.CreateAccountAsync(1_000_000);
        using var client = server.NewClient(key);
        using var other = server.NewClient(otherKey);
        var created = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            created.Add((string)(await client.CreateTaskAsync(new { prompt = $"list {i}", resolution = "480p", duration = 4 })).Body["data"]!["taskId"]!);
        }

        await other.CreateTaskAsync(new { prompt = "someone else's", resolution = "480p", duration = 4 });
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var (status, body, _) = await client.GetJsonAsync("/api/v1/jobs/list?limit=10" + (cursor is null ? "" : "&cursor=" + cursor));
            Assert.Equal(HttpStatusCode.OK, status);
            seen.AddRange(body["data"]!["items"]!.AsArray().Select(t => (string)t!["taskId"]!));
            cursor = (string?)body["data"]!["nextCursor"];
            pages++;

            // New tasks arriving between pages appear on a new first page, never inside this walk.
            await client.CreateTaskAsync(new { prompt = $"inserted during paging {pages}", resolution = "480p", duration = 4 });
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(created), seen);
    }

    [Fact]
    public async Task List_FiltersByStateAndModel_AndValidatesItsQuery()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var client = server.NewClient(key);
        var ok = (string)(await client.CreateTaskAsync(new { prompt = "fine", resolution = "480p", duration = 4 })).Body["data"]!["taskId"]!;
        var bad = (string)(await client.CreateTaskAsync(new { prompt = "[fail]", resolution = "480p", duration = 4 })).Body["data"]!["taskId"]!;
        await client.WaitForEndAsync(ok);
        await client.WaitForEndAsync(bad);

        var (_, fails, _) = await client.GetJsonAsync("/api/v1/jobs/list?state=fail");
        Assert.Equal([bad], fails["data"]!["items"]!.AsArray().Select(t => (string)t!["taskId"]!));
        var (_, none, _) = await client.GetJsonAsync("/api/v1/jobs/list?model=another-model");
        Assert.Empty(none["data"]!["items"]!.AsArray());
        var (s1, b1, _) = await client.GetJsonAsync("/api/v1/jobs/list?state=done");
        JsonBody.AssertError(s1, b1, 422, "validation error: state must be one of waiting, success, fail");
        var (s2, b2, _) = await client.GetJsonAsync("/api/v1/jobs/list?limit=101");
        JsonBody.AssertError(s2, b2, 422, "validation error: limit must be a whole number from 1 to 100");
        var (s3, b3, _) = await client.GetJsonAsync("/api/v1/jobs/list?cursor=not-a-cursor");
        JsonBody.AssertError(s3, b3, 400, "invalid request");
    }

    [Fact]
    public async Task Cancel_EndsWaitingTaskWithRefund_And409sOnceFinished_And404sForStrangers()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (_, _, key) = await server.CreateAccountAsync(1000);
        var (_, _, strangerKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(key);
        using var stranger = server.NewClient(strangerKey);
        var id = (string)(await client.CreateTaskAsync(new { prompt = "cancel me", resolution = "480p", duration = 4 })).Body["data"]!["taskId"]!;
        Assert.Equal(920, await client.CreditsAsync());

        var (s0, b0, _) = await stranger.PostRawAsync("/api/v1/jobs/cancel", $$"""{"taskId":"{{id}}"}""");
        JsonBody.AssertError(s0, b0, 404, "task not found");
        var (s1, _, _) = await client.PostRawAsync("/api/v1/jobs/cancel", $$"""{"taskId":"{{id}}"}""");
        Assert.Equal(HttpStatusCode.OK, s1);
        var data = await client.RecordInfoAsync(id);
        Assert.Equal(("fail", "cancelled"), ((string)data["state"]!, (string)data["failCode"]!));
        Assert.Equal(1000, await client.CreditsAsync());
        var (s2, b2, _) = await client.PostRawAsync("/api/v1/jobs/cancel", $$"""{"taskId":"{{id}}"}""");
        JsonBody.AssertError(s2, b2, 409, "task already finished");
        var (s3, b3, _) = await client.PostRawAsync("/api/v1/jobs/cancel", "{}");
        JsonBody.AssertError(s3, b3, 422, "validation error: taskId is required");
        Assert.Equal(1000, await client.CreditsAsync());
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task Cancel_StopsGeneratingEngineAndRefundsOnce()
    {
        ScriptedEngine? engine = null;
        await using var server = await ReelgateTestServer.StartAsync(services: s => engine = ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(key);
        var id = (string)(await client.CreateTaskAsync(new { prompt = "[hold] until cancelled", resolution = "480p", duration = 4 })).Body["data"]!["taskId"]!;
        await engine!.Started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        var (status, _, _) = await client.PostRawAsync("/api/v1/jobs/cancel", $$"""{"taskId":"{{id}}"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var data = await client.WaitForEndAsync(id);
        Assert.Equal("cancelled", (string)data["failCode"]!);
        engine.Release(); // were the engine still running, it would now finish; it must change nothing
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Equal("fail", (string)(await client.RecordInfoAsync(id))["state"]!);
        Assert.Equal(1000, await client.CreditsAsync());
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task Cancel_RacingAWorkerClaim_HasExactlyOneOutcomeAndOneRefund()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(1_000_000);
        using var client = server.NewClient(key);
        var ids = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            ids.Add((string)(await client.CreateTaskAsync(new { prompt = $"race {i}", resolution = "480p", duration = 4 })).Body["data"]!["taskId"]!);
        }

        var cancels = await Task.WhenAll(ids.Select(id => client.PostRawAsync("/api/v1/jobs/cancel", $$"""{"taskId":"{{id}}"}""")));
        var balance = 1_000_000L;
        for (var i = 0; i < ids.Count; i++)
        {
            var data = await client.WaitForEndAsync(ids[i]);
            if (cancels[i].Status == HttpStatusCode.OK)
            {
                Assert.Equal("cancelled", (string)data["failCode"]!);
            }
            else
            {
                Assert.Equal(HttpStatusCode.Conflict, cancels[i].Status);
                Assert.Equal("success", (string)data["state"]!);
                balance -= 80;
            }
        }

        Assert.Equal(balance, await client.CreditsAsync());
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task Models_ListsTheCatalogWithInputRulesSizesAndPrices()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (_, _, key) = await server.CreateAccountAsync(0);
        using var client = server.NewClient(key);
        var (status, body, _) = await client.GetJsonAsync("/api/v1/models");
        Assert.Equal(HttpStatusCode.OK, status);
        var model = body["data"]![0]!.AsObject();
        Assert.Equal("seedance-2.0-text-to-video", (string)model["id"]!);
        Assert.Equal(24, (int)model["fps"]!);
        Assert.Equal("2206x946", (string)model["sizes"]!["1080p"]!["21:9"]!);
        Assert.Equal(40, (long)model["pricing"]!["ratesPerSecond"]!["720p"]!);
        var duration = model["input"]!.AsArray().Single(f => (string)f!["name"]! == "duration")!;
        Assert.Equal((4L, 15L, 5), ((long)duration["min"]!, (long)duration["max"]!, (int)duration["default"]!));
        var (unauth, _, _) = await server.NewClient().GetJsonAsync("/api/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, unauth);
    }
}
