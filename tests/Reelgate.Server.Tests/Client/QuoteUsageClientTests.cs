using System.Text.Json.Nodes;
using Reelgate.Client;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests.Client;

/// <summary>Reelgate.Client's quote, usage and queue position against a live server over loopback (issue 23).</summary>
public sealed class QuoteUsageClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Quote_ThenCreate_ThenUsage_AgreeWithTheBalance()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(1000);
        using var client = ReelgateClient.Create(new ReelgateClientOptions { BaseUrl = server.BaseAddress, ApiKey = key, PollInterval = TimeSpan.FromMilliseconds(100) });
        var input = new JsonObject { ["prompt"] = "a quoted lighthouse", ["resolution"] = "720p", ["duration"] = 5 };

        var quote = await client.QuoteAsync("seedance-2.0-text-to-video", input, Ct);
        Assert.Equal((1000L, 1000 - quote.Credits, (long?)null), (quote.Balance, quote.BalanceAfter, quote.KeyRoom));
        var id = await client.CreateTaskAsync("seedance-2.0-text-to-video", input, null, Ct);
        var task = await client.WaitAsync(id, null, Ct);
        Assert.Equal(quote.Credits, task.CreditsConsumed);
        Assert.Null(task.QueuePosition);

        var usage = await client.GetUsageAsync(groupBy: "model", ct: Ct);
        var row = Assert.Single(usage.Rows);
        Assert.Equal(("seedance-2.0-text-to-video", quote.Credits, 0L, 1, 1), (row.Group, row.Net, row.Refunded, row.Tasks, row.Success));
        Assert.Equal(1000 - await client.GetCreditsAsync(Ct), usage.Total.Net);

        // The server's own checks, as the client's typed exception.
        await Assert.ThrowsAsync<ReelgateValidationException>(() => client.QuoteAsync("seedance-2.0-text-to-video", new JsonObject { ["prompt"] = "x", ["duration"] = 3 }, Ct));
        await Assert.ThrowsAsync<ReelgateValidationException>(() => client.GetUsageAsync(groupBy: "week", ct: Ct));
    }
}
