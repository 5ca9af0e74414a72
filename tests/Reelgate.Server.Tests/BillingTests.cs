using System.Net;
using System.Text.Json.Nodes;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>Exact prices, refunds, 402, and the ledger rule under concurrent requests.</summary>
public sealed class BillingTests
{
    [Theory]
    [InlineData("480p", 4, 80)]
    [InlineData("480p", 15, 300)]
    [InlineData("720p", 5, 200)]
    [InlineData("720p", 11, 440)]
    [InlineData("1080p", 4, 320)]
    [InlineData("1080p", 15, 1200)]
    public async Task CreateTask_ChargesRateTimesDuration_WhenTaskSucceeds(string resolution, int duration, long cost)
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, apiKey) = await server.CreateAccountAsync(5000);
        using var client = server.NewClient(apiKey);

        var (status, created, _) = await client.CreateTaskAsync(new { prompt = "credits", resolution, duration, generate_audio = true });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(5000 - cost, await client.CreditsAsync());
        var data = await client.WaitForEndAsync((string)created["data"]!["taskId"]!);
        Assert.Equal("success", (string)data["state"]!);
        Assert.Equal(cost, (long)data["creditsConsumed"]!);
        Assert.Equal(5000 - cost, await client.CreditsAsync());
    }

    [Fact]
    public async Task FailedTask_IsRefundedInFull_WhenEngineFails()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var (_, created, _) = await client.CreateTaskAsync(new { prompt = "this one [fail]s", resolution = "1080p", duration = 10 });
        var data = await client.WaitForEndAsync((string)created["data"]!["taskId"]!);
        Assert.Equal("fail", (string)data["state"]!);
        Assert.Equal("generation_failed", (string)data["failCode"]!);
        Assert.Equal(1000, await client.CreditsAsync());
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task ContentPolicy_FailsAndRefunds_WhenCheckerIsOnAndPromptHasTerm()
    {
        var engine = default(ScriptedEngine);
        await using var server = await ReelgateTestServer.StartAsync(services: s => engine = ScriptedEngine.AddTo(s));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var (_, blocked, _) = await client.CreateTaskAsync(new { prompt = "A NUDE statue in a museum", nsfw_checker = true, duration = 4, resolution = "480p" });
        var data = await client.WaitForEndAsync((string)blocked["data"]!["taskId"]!);
        Assert.Equal("fail", (string)data["state"]!);
        Assert.Equal("content_policy_violation", (string)data["failCode"]!);
        Assert.Equal(1000, await client.CreditsAsync());

        // Checker off: the model result is returned directly. Whole words only: "nudes" is not "nude"... but "gored" is not "gore".
        var (_, allowed, _) = await client.CreateTaskAsync(new { prompt = "A NUDE statue in a museum", nsfw_checker = false, duration = 4, resolution = "480p" });
        Assert.Equal("success", (string)(await client.WaitForEndAsync((string)allowed["data"]!["taskId"]!))["state"]!);
        var (_, wordPart, _) = await client.CreateTaskAsync(new { prompt = "a bull gored the fence", nsfw_checker = true, duration = 4, resolution = "480p" });
        Assert.Equal("success", (string)(await client.WaitForEndAsync((string)wordPart["data"]!["taskId"]!))["state"]!);
        Assert.DoesNotContain(engine!.Jobs, j => j.TaskId == (string)blocked["data"]!["taskId"]!);
    }

    [Fact]
    public async Task CreateTask_Returns402AndCreatesNothing_WhenBalanceIsShort()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (_, _, apiKey) = await server.CreateAccountAsync(79);
        using var client = server.NewClient(apiKey);

        var (status, body, _) = await client.CreateTaskAsync(new { prompt = "too expensive", resolution = "480p", duration = 4 });
        JsonBody.AssertError(status, body, 402, "insufficient credits");
        Assert.Equal(79, await client.CreditsAsync());
    }

    [Fact]
    public async Task ConcurrentCreates_ChargeExactlyTheBalance_WhenBalanceCoversTen()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (_, _, apiKey) = await server.CreateAccountAsync(80 * 10);
        using var client = server.NewClient(apiKey);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            client.CreateTaskAsync(new { prompt = $"race {i}", resolution = "480p", duration = 4 })));

        Assert.Equal(10, results.Count(r => r.Status == HttpStatusCode.OK));
        Assert.Equal(190, results.Count(r => r.Status == HttpStatusCode.PaymentRequired));
        Assert.Equal(10, results.Where(r => r.Status == HttpStatusCode.OK).Select(r => (string)r.Body["data"]!["taskId"]!).Distinct().Count());
        Assert.Equal(0, await client.CreditsAsync());
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task ConcurrentCreates_MakeOneTaskAndOneCharge_WhenRequestIdIsShared()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (_, _, apiKey) = await server.CreateAccountAsync(10_000);
        using var client = server.NewClient(apiKey);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            client.CreateTaskAsync(new { prompt = "only once", resolution = "720p", duration = 5 }, requestId: "retry-42")));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Single(results.Select(r => (string)r.Body["data"]!["taskId"]!).Distinct());
        Assert.Equal(10_000 - 200, await client.CreditsAsync());

        var (status, conflict, _) = await client.CreateTaskAsync(new { prompt = "a different body", resolution = "720p", duration = 5 }, requestId: "retry-42");
        JsonBody.AssertError(status, conflict, 409, "request conflict");
        Assert.Equal(10_000 - 200, await client.CreditsAsync());
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task RequestId_IsScopedPerKey_WhenTwoKeysReuseIt()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (_, _, keyA) = await server.CreateAccountAsync(1000);
        var (_, _, keyB) = await server.CreateAccountAsync(1000);
        using var a = server.NewClient(keyA);
        using var b = server.NewClient(keyB);

        var (_, first, _) = await a.CreateTaskAsync(new { prompt = "same id" }, requestId: "shared");
        var (_, second, _) = await b.CreateTaskAsync(new { prompt = "same id" }, requestId: "shared");
        Assert.NotEqual((string)first["data"]!["taskId"]!, (string)second["data"]!["taskId"]!);
    }

    [Fact]
    public async Task AdminCredits_AreRefusedWith422_PastTheBound_AndTheAuditAndTopUpsKeepWorking()
    {
        const long Max = 1_000_000_000_000_000;
        const string CreditsMessage = "validation error: credits must be a whole number from 0 to 1000000000000000";
        const string AmountMessage = "validation error: amount must be a non-zero whole number from -1000000000000000 to 1000000000000000 (negative to deduct)";
        const string BalanceMessage = "validation error: the balance would exceed 1000000000000000 credits";
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });

        // Issue 17: long.MaxValue credits and a top-up of 1 wrapped to a negative balance.
        foreach (var credits in new[] { long.MaxValue, Max + 1 })
        {
            var (refused, body, _) = await server.Admin.PostRawAsync("/api/admin/accounts", $$"""{"name":"too rich","credits":{{credits}}}""");
            JsonBody.AssertError(refused, body, 422, CreditsMessage);
        }

        var (beyondLong, beyondBody, _) = await server.Admin.PostRawAsync("/api/admin/accounts", """{"name":"beyond","credits":9223372036854775808}""");
        JsonBody.AssertError(beyondLong, beyondBody, 400, "invalid request");

        var (accountId, _, apiKey) = await server.CreateAccountAsync(Max);
        using var client = server.NewClient(apiKey);
        Assert.Equal(Max, await client.CreditsAsync());
        var credit = $"/api/admin/accounts/{accountId}/credits";
        var (status, over, _) = await server.Admin.PostRawAsync(credit, """{"amount":1}""");
        JsonBody.AssertError(status, over, 422, BalanceMessage);
        foreach (var amount in new[] { long.MaxValue, Max + 1, -Max - 1, long.MinValue })
        {
            var (refused, body, _) = await server.Admin.PostRawAsync(credit, $$"""{"amount":{{amount}}}""");
            JsonBody.AssertError(refused, body, 422, AmountMessage);
        }

        Assert.Equal(Max, await client.CreditsAsync());
        await server.AssertAuditOkAsync();

        // Top-ups and deductions keep working up to the bound.
        var (ok, body2, _) = await server.Admin.PostRawAsync(credit, $$"""{"amount":{{-Max}}}""");
        Assert.Equal((HttpStatusCode.OK, 0L), (ok, (long)body2["data"]!["credits"]!));
        (ok, body2, _) = await server.Admin.PostRawAsync(credit, $$"""{"amount":{{Max}}}""");
        Assert.Equal((HttpStatusCode.OK, Max), (ok, (long)body2["data"]!["credits"]!));

        // A waiting task's cost may come back as a refund, so it counts against the bound.
        var (created, _, _) = await client.CreateTaskAsync(new { prompt = "reserved", resolution = "480p", duration = 4 });
        Assert.Equal(HttpStatusCode.OK, created);
        Assert.Equal(Max - 80, await client.CreditsAsync());
        (status, over, _) = await server.Admin.PostRawAsync(credit, """{"amount":80}""");
        JsonBody.AssertError(status, over, 422, BalanceMessage);
        Assert.Equal(Max - 80, await client.CreditsAsync());
        await server.AssertAuditOkAsync();
    }
}

