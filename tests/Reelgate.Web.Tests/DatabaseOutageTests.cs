using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Reelgate.Testing;

namespace Reelgate.Web.Tests;

/// <summary>PostgreSQL stopped for 10 s under load: fail fast in the envelope, lose nothing, recover without a restart.</summary>
public sealed class DatabaseOutageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostgresDownFor10s_RequestsFailFastInTheEnvelope_NothingIsLost_ServiceRecoversWithin5s()
    {
        await using var pg = new PostgresServer();
        await pg.InitializeAsync();
        var database = await pg.CreateDatabaseAsync();
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Reelgate"] = database,
            ["Reelgate__UrlSigningKey"] = "outage-test-url-signing-key-0123456789",
            ["Reelgate__Workers"] = "2",
            ["Reelgate__Benchmark__InstantEngine"] = "true", // explicit: this test is about the database, not rendering
        };
        await using var server = await WebServer.StartAsync(settings);
        using var admin = server.Client(WebServer.AdminKey, 30);
        var account = (string)JsonNode.Parse(await (await admin.PostAsync("api/admin/accounts", Json("""{"name":"outage","credits":1000000}"""), Ct)).Content.ReadAsStringAsync(Ct))!["data"]!["accountId"]!;
        var key = (string)JsonNode.Parse(await (await admin.PostAsync($"api/admin/accounts/{account}/keys", Json("""{"tier":"unlimited"}"""), Ct)).Content.ReadAsStringAsync(Ct))!["data"]!["apiKey"]!;
        using var client = server.Client(key, 30);

        // A steady stream of creates (each with its own X-Request-ID) across the outage.
        var outcomes = new List<(int Id, HttpStatusCode Status, string Body, TimeSpan Took)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var load = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var watch = Stopwatch.StartNew();
                var (status, body) = await CreateAsync(client, i);
                lock (outcomes)
                {
                    outcomes.Add((i, status, body, watch.Elapsed));
                }

                await Task.Delay(250, Ct);
            }
        }, Ct);

        await Task.Delay(1500, Ct);
        await pg.StopAsync();
        var downAt = outcomes.Count;
        await Task.Delay(10_000, Ct);
        await pg.StartAsync();
        var upAt = Stopwatch.StartNew();
        var recoveredAfter = TimeSpan.Zero;
        while (upAt.Elapsed < TimeSpan.FromSeconds(15))
        {
            lock (outcomes)
            {
                if (outcomes.Count > downAt && outcomes[^1].Status == HttpStatusCode.OK && outcomes.Skip(downAt).Any(o => o.Status != HttpStatusCode.OK))
                {
                    recoveredAfter = upAt.Elapsed;
                    break;
                }
            }

            await Task.Delay(50, Ct);
        }

        await Task.Delay(1000, Ct);
        await stop.CancelAsync();
        await load;

        List<(int Id, HttpStatusCode Status, string Body, TimeSpan Took)> all;
        lock (outcomes)
        {
            all = [.. outcomes];
        }

        var failed = all.Where(o => o.Status != HttpStatusCode.OK).ToList();
        Assert.NotEmpty(failed); // the outage was seen
        Assert.All(failed, o =>
        {
            Assert.True(o.Took < TimeSpan.FromSeconds(5), $"request {o.Id} took {o.Took} while the database was down");
            var envelope = JsonNode.Parse(o.Body)!;
            Assert.True(envelope["code"] is not null && envelope["msg"] is not null, o.Body);
        });
        Assert.True(recoveredAfter > TimeSpan.Zero && recoveredAfter < TimeSpan.FromSeconds(5), $"service recovered {recoveredAfter} after the database returned");

        // The client retries what failed, with the same X-Request-ID: nothing is lost or doubled.
        foreach (var o in failed)
        {
            var (status, body) = await CreateAsync(client, o.Id);
            Assert.True(status == HttpStatusCode.OK, body);
        }

        var ids = all.Select(o => o.Id).ToHashSet();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonArray tasks;
        while (true)
        {
            tasks = JsonNode.Parse(await client.GetStringAsync("api/v1/jobs/list?limit=100", Ct))!["data"]!["items"]!.AsArray();
            if (tasks.All(t => (string)t!["state"]! != "waiting") || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(300, Ct);
        }

        Assert.True(ids.Count <= 100, "the list page must hold every task of this test");
        Assert.Equal(ids.Count, tasks.Count);
        Assert.All(tasks, t => Assert.Equal("success", (string)t!["state"]!));
        var balance = (long)JsonNode.Parse(await client.GetStringAsync("api/v1/chat/credit", Ct))!["data"]!;
        Assert.Equal(1_000_000 - tasks.Sum(t => (long)t!["creditsConsumed"]!), balance);
        Assert.True((bool)JsonNode.Parse(await admin.GetStringAsync("api/admin/audit", Ct))!["data"]!["ok"]!);
    }


    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, string Body)> CreateAsync(HttpClient client, int i)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/jobs/createTask")
        {
            Content = Json($$$"""{"model":"seedance-2.0-text-to-video","input":{"prompt":"outage {{{i}}}","resolution":"480p","duration":4}}"""),
        };
        request.Headers.Add("X-Request-ID", "outage-" + i);
        using var response = await client.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }
}
