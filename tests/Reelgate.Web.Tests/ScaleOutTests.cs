using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Reelgate.Testing;

namespace Reelgate.Web.Tests;

/// <summary>
/// The multi-node deployment, as real processes: two API nodes and two worker nodes on one
/// PostgreSQL, one Redis and one S3 server (Swift with s3api; all real servers on loopback),
/// results in the bucket: no directory is shared between the nodes.
/// </summary>
public sealed class ScaleOutTests
{
    private const string UrlSigningKey = "scale-out-test-url-signing-key-0123456789";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoApiNodes_TwoWorkers_300Tasks_EachEndsOnce_ChargedOnce_LimitsShared_EventsEverywhere()
    {
        await using var pg = new PostgresServer();
        await pg.InitializeAsync();
        var database = await pg.CreateDatabaseAsync();
        using var redis = RedisServer.Start();
        await using var swift = await SwiftS3Server.StartNewAsync();
        var root = Directory.CreateTempSubdirectory("reelgate-scale-").FullName;
        try
        {
            var bucket = "scale-" + Guid.NewGuid().ToString("N")[..12];
            Dictionary<string, string> Settings(string? pickupLog = null)
            {
                var s = new Dictionary<string, string>
                {
                    ["ConnectionStrings__Reelgate"] = database,
                    ["ConnectionStrings__Redis"] = redis.Configuration + ",asyncTimeout=10000,syncTimeout=10000",
                    ["Reelgate__UrlSigningKey"] = UrlSigningKey,
                    ["Reelgate__ResultStore"] = "s3",
                    ["Reelgate__S3__ServiceUrl"] = swift.Endpoint,
                    ["Reelgate__S3__Region"] = swift.Region,
                    ["Reelgate__S3__AccessKey"] = swift.AccessKey,
                    ["Reelgate__S3__SecretKey"] = swift.SecretKey,
                    ["Reelgate__S3__Bucket"] = bucket,
                    ["Reelgate__S3__CreateBucket"] = "true",
                    ["Reelgate__Workers"] = "2",
                    ["Reelgate__FallbackPoll"] = "00:00:30", // wake-ups must come from NOTIFY, not from polling
                    // This test is about distribution, not rendering: the benchmark-only instant
                    // engine copies one real pre-rendered MP4 per task (set explicitly, never the default).
                    ["Reelgate__Benchmark__InstantEngine"] = "true",
                    ["Reelgate__Tiers__tiny__CreatePerMinute"] = "10",
                    ["Reelgate__Tiers__tiny__CreatePerSecond"] = "1000",
                };
                if (pickupLog is not null)
                {
                    s["Reelgate__Benchmark__PickupLog"] = pickupLog;
                }

                return s;
            }

            var pickups = new[] { Path.Combine(root, "w1.log"), Path.Combine(root, "w2.log") };
            await using var api1 = await WebServer.StartAsync(Settings(), Directory.CreateDirectory(Path.Combine(root, "api1")).FullName, role: "api");
            await using var api2 = await WebServer.StartAsync(Settings(), Directory.CreateDirectory(Path.Combine(root, "api2")).FullName, role: "api");
            await using var w1 = await WebServer.StartAsync(Settings(pickups[0]), Directory.CreateDirectory(Path.Combine(root, "w1")).FullName, role: "worker");
            await using var w2 = await WebServer.StartAsync(Settings(pickups[1]), Directory.CreateDirectory(Path.Combine(root, "w2")).FullName, role: "worker");
            var apis = new[] { api1, api2 };

            using var admin = api1.Client(WebServer.AdminKey);
            var account = (string)(await WebServer.PostJsonAsync(admin, "api/admin/accounts", """{"name":"scale","credits":10000000}"""))["accountId"]!;
            var key = (string)(await WebServer.PostJsonAsync(admin, $"api/admin/accounts/{account}/keys", """{"tier":"unlimited"}"""))["apiKey"]!;
            var tinyKey = (string)(await WebServer.PostJsonAsync(admin, $"api/admin/accounts/{account}/keys", """{"tier":"tiny"}"""))["apiKey"]!;
            var clients = apis.Select(a => a.Client(key)).ToArray();

            // Every node's events reach a stream opened on api1 (relayed through NOTIFY).
            var seen = new ConcurrentDictionary<string, string>();
            using var sseCts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var sse = ReadEventsAsync(api1.Client(key), seen, sseCts.Token);

            // 300 tasks from 6 concurrent clients, spread over both API nodes, each with an
            // X-Request-ID; then 30 of them sent again to the other node (client retries).
            var ids = new ConcurrentDictionary<int, string>();
            await Task.WhenAll(Enumerable.Range(0, 6).Select(async c =>
            {
                for (var i = c; i < 300; i += 6)
                {
                    ids[i] = await CreateAsync(clients[i % 2], i);
                }
            }));
            Assert.Equal(300, ids.Values.Distinct().Count());
            for (var i = 0; i < 30; i++)
            {
                Assert.Equal(ids[i], await CreateAsync(clients[(i + 1) % 2], i));
            }

            // Every task ends, once, in success.
            var deadline = DateTime.UtcNow.AddSeconds(120);
            IReadOnlyList<JsonNode> ended;
            while (true)
            {
                ended = await ListAllAsync(clients[1]);
                if (ended.Count(t => (string)t["state"]! != "waiting") == 300 || DateTime.UtcNow > deadline)
                {
                    break;
                }

                await Task.Delay(500, Ct);
            }

            Assert.Equal(300, ended.Count);
            Assert.All(ended, t => Assert.Equal("success", (string)t["state"]!));

            // Each task was started exactly once, and both worker nodes took part.
            var started = pickups.Select(p => File.ReadAllLines(p).Select(l => l.Split(' ')[0]).ToList()).ToArray();
            Assert.All(started, s => Assert.NotEmpty(s));
            Assert.Equal(ids.Values.Order(), started.SelectMany(s => s).Order());

            // Charged once each: balance = grant - sum(costs), and the ledger audit holds.
            var cost = ended.Sum(t => (long)t["creditsConsumed"]!);
            Assert.True(cost > 0);
            var balance = (long)JsonNode.Parse(await clients[0].GetStringAsync("api/v1/chat/credit", Ct))!["data"]!;
            Assert.Equal(10_000_000 - cost, balance);
            var audit = JsonNode.Parse(await admin.GetStringAsync("api/admin/audit", Ct))!["data"]!;
            Assert.True((bool)audit["ok"]!, audit.ToJsonString());

            // Results made by worker nodes are served by both API nodes, from the bucket.
            foreach (var (t, i) in ended.Take(6).Select((t, i) => (t, i)))
            {
                var info = JsonNode.Parse(await clients[i % 2].GetStringAsync("api/v1/jobs/recordInfo?taskId=" + (string)t["taskId"]!, Ct))!["data"]!;
                var url = (string)JsonNode.Parse((string)info["resultJson"]!)!["resultUrls"]![0]!;
                var bytes = await new HttpClient().GetByteArrayAsync(url, Ct);
                Assert.Equal("ftyp"u8.ToArray(), bytes[4..8]);
            }

            // SSE on api1 saw every task end, though workers on other nodes ended them.
            var sseDeadline = DateTime.UtcNow.AddSeconds(10);
            while (seen.Count(kv => kv.Value == "success") < 300 && DateTime.UtcNow < sseDeadline)
            {
                await Task.Delay(100, Ct);
            }

            Assert.Equal(300, seen.Count(kv => kv.Value == "success"));
            await sseCts.CancelAsync();
            await sse;

            // One rate limit across both API nodes: 24 concurrent creates, 10 per minute allowed.
            var tiny = apis.Select(a => a.Client(tinyKey)).ToArray();
            while (DateTimeOffset.UtcNow.Second >= 45)
            {
                await Task.Delay(200, Ct);
            }

            var limited = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => tiny[i % 2].PostAsync("api/v1/jobs/createTask", Body(1000 + i), Ct)));
            Assert.Equal(10, limited.Count(r => r.StatusCode == HttpStatusCode.OK));
            Assert.Equal(14, limited.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }


    private static StringContent Body(int i) =>
        new($$$"""{"model":"seedance-2.0-text-to-video","input":{"prompt":"scale out {{{i}}}","resolution":"480p","duration":4}}""", System.Text.Encoding.UTF8, "application/json");

    private static async Task<string> CreateAsync(HttpClient client, int i)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/jobs/createTask") { Content = Body(i) };
        request.Headers.Add("X-Request-ID", "scale-" + i);
        using var response = await client.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return (string)JsonNode.Parse(body)!["data"]!["taskId"]!;
    }


    private static async Task<IReadOnlyList<JsonNode>> ListAllAsync(HttpClient client)
    {
        var all = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = JsonNode.Parse(await client.GetStringAsync("api/v1/jobs/list?limit=100" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)), Ct))!["data"]!;
            all.AddRange(page["items"]!.AsArray().Select(n => n!));
            cursor = (string?)page["nextCursor"];
        }
        while (cursor is not null);
        return all;
    }

    private static async Task ReadEventsAsync(HttpClient client, ConcurrentDictionary<string, string> seen, CancellationToken ct)
    {
        try
        {
            using var response = await client.GetAsync("api/v1/jobs/events", HttpCompletionOption.ResponseHeadersRead, ct);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    var e = JsonNode.Parse(line[6..])!;
                    var state = (string)e["state"]!;
                    if (state != "waiting")
                    {
                        seen[(string)e["taskId"]!] = state;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Done.
        }
        finally
        {
            client.Dispose();
        }
    }
}
