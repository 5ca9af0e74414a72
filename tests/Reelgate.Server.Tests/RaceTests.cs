using System.Net;
using System.Net.Http.Json;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>Concurrency claims proven by racing requests: the ledger rule and the limits hold under load.</summary>
public sealed class RaceTests
{
    [Fact]
    public async Task AdminTopUpsAndDeductions_RacingCreates_KeepBalanceEqualToLedgerAndNeverNegative()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (accountId, _, apiKey) = await server.CreateAccountAsync(0);
        using var client = server.NewClient(apiKey);
        var ct = TestContext.Current.CancellationToken;

        var topUps = Enumerable.Range(0, 100).Select(_ => server.Admin.PostAsJsonAsync($"/api/admin/accounts/{accountId}/credits", new { amount = 80, reason = "race top-up" }, ct));
        var deductions = Enumerable.Range(0, 50).Select(_ => server.Admin.PostAsJsonAsync($"/api/admin/accounts/{accountId}/credits", new { amount = -80, reason = "race deduction" }, ct));
        var creates = Enumerable.Range(0, 200).Select(i => client.CreateTaskAsync(new { prompt = $"race {i}", resolution = "480p", duration = 4 }).ContinueWith(t => t.Result.Response, ct));
        var all = await Task.WhenAll(topUps.Concat(deductions).Concat(creates));

        var applied = all.Take(100).Count(r => r.StatusCode == HttpStatusCode.OK);
        var deducted = all.Skip(100).Take(50).Count(r => r.StatusCode == HttpStatusCode.OK);
        var created = all.Skip(150).Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(100, applied);
        Assert.All(all.Skip(100).Take(50), r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.PaymentRequired));
        Assert.All(all.Skip(150), r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.PaymentRequired));
        var balance = await client.CreditsAsync();
        Assert.True(balance >= 0);
        Assert.Equal((applied - deducted - created) * 80L, balance);
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task ActiveTaskLimit_AdmitsExactlyTheLimit_WhenCreatesRace()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Reelgate:Workers"] = "0",
            ["Reelgate:Tiers:three:ActiveTasks"] = "3",
        });
        var (_, _, apiKey) = await server.CreateAccountAsync(100_000, "three");
        using var client = server.NewClient(apiKey);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => client.CreateTaskAsync(new { prompt = $"limit {i}", resolution = "480p", duration = 4 })));

        Assert.Equal(3, results.Count(r => r.Status == HttpStatusCode.OK));
        Assert.All(results.Where(r => r.Status != HttpStatusCode.OK), r => JsonBody.AssertError(r.Status, r.Body, 409, "active task limit exceeded"));
        Assert.Equal(100_000 - (3 * 80), await client.CreditsAsync());
    }

    [Fact]
    public async Task RevokedKey_IsRefusedFromThenOn_AndInFlightCreatesAreChargedExactlyOnce()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (accountId, keyId, apiKey) = await server.CreateAccountAsync(1_000_000);
        using var client = server.NewClient(apiKey);
        var ct = TestContext.Current.CancellationToken;

        var inFlight = Enumerable.Range(0, 150).Select(i => client.CreateTaskAsync(new { prompt = $"in flight {i}", resolution = "480p", duration = 4 })).ToList();
        var revoke = await server.Admin.DeleteAsync($"/api/admin/keys/{keyId}", ct);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var results = await Task.WhenAll(inFlight);

        Assert.All(results, r => Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.Unauthorized, r.Status.ToString()));
        var created = results.Count(r => r.Status == HttpStatusCode.OK);
        var (after, body, _) = await client.CreateTaskAsync(new { prompt = "after revoke", resolution = "480p", duration = 4 });
        JsonBody.AssertError(after, body, 401, "authentication failed");

        // The account's balance is read with the admin API now that the key is gone.
        var account = await server.Admin.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/admin/accounts/{accountId}", ct);
        Assert.Equal(1_000_000 - (created * 80L), (long)account!["data"]!["credits"]!);
        Assert.True((bool)account["data"]!["keys"]![0]!["revoked"]!);
        await server.AssertAuditOkAsync();
    }
}
