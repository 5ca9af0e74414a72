using System.Net;
using System.Text.Json.Nodes;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>Results expire after Reelgate:ResultRetention: files removed by the leader's sweep, record kept, recordInfo says so.</summary>
public sealed class RetentionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExpiredResults_LoseTheirFiles_KeepTheirRecord_AndRecordInfoSaysSo()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Reelgate:ResultRetention"] = "00:00:03",
            ["Reelgate:RetentionSweepInterval"] = "00:00:00.200",
            ["Reelgate:SweepInterval"] = "00:00:00.200",
        }, services: s => ScriptedEngine.AddTo(s));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);
        var (_, created, _) = await client.CreateTaskAsync(new { prompt = "short-lived", resolution = "480p", duration = 4 });
        var taskId = (string)created["data"]!["taskId"]!;
        var data = await client.WaitForEndAsync(taskId);
        Assert.Equal("success", (string)data["state"]!);
        Assert.False((bool)data["resultExpired"]!);
        Assert.Equal((long)data["completeTime"]! + 3000, (long)data["resultExpireTime"]!);
        var url = (string)JsonNode.Parse((string)data["resultJson"]!)!["resultUrls"]![0]!;
        using var http = server.NewClient(); // no key: the URL carries its signature; the contract check covers /files
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url, Ct)).StatusCode);
        Assert.True(Directory.Exists(Path.Combine(server.DataDirectory, "results", taskId)));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonObject info;
        do
        {
            await Task.Delay(200, Ct);
            info = await client.RecordInfoAsync(taskId);
            Assert.True(DateTime.UtcNow < deadline, "the result never expired");
        }
        while (!(bool)info["resultExpired"]!);

        Assert.Equal("success", (string)info["state"]!);
        Assert.Null(info["resultJson"]);
        Assert.Null(info["thumbnailUrl"]);
        Assert.True((long)info["resultExpireTime"]! >= (long)data["completeTime"]! + 3000);
        Assert.False(Directory.Exists(Path.Combine(server.DataDirectory, "results", taskId)));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(url, Ct)).StatusCode);
        Assert.Equal(1000 - (long)data["creditsConsumed"]!, await client.CreditsAsync());
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task ZeroRetention_KeepsResultsForever()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Reelgate:ResultRetention"] = "00:00:00",
            ["Reelgate:RetentionSweepInterval"] = "00:00:00.100",
            ["Reelgate:SweepInterval"] = "00:00:00.100",
        }, services: s => ScriptedEngine.AddTo(s));
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);
        var (_, created, _) = await client.CreateTaskAsync(new { prompt = "kept", resolution = "480p", duration = 4 });
        var data = await client.WaitForEndAsync((string)created["data"]!["taskId"]!);
        await Task.Delay(1000, Ct);
        var info = await client.RecordInfoAsync((string)data["taskId"]!);
        Assert.False((bool)info["resultExpired"]!);
        Assert.Null(info["resultExpireTime"]);
        Assert.NotNull((string?)info["resultJson"]);
    }
}
