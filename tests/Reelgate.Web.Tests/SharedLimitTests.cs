using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Reelgate.Testing;

namespace Reelgate.Web.Tests;

/// <summary>Two API processes sharing one Redis: a key's limit holds across nodes.</summary>
public sealed class SharedLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoApiNodes_OneRedis_EnforceOneMinuteBudget_AndChargeOnlyTheAllowed()
    {
        using var redis = RedisServer.Start();
        var data = Directory.CreateTempSubdirectory("reelgate-shared-").FullName;
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["ConnectionStrings__Redis"] = redis.Configuration + ",asyncTimeout=10000,syncTimeout=10000", // a timeout would fail open and be counted
                ["Reelgate__Tiers__tiny__CreatePerMinute"] = "5",
                ["Reelgate__Tiers__tiny__CreatePerSecond"] = "100",
            };
            await using var a = await WebServer.StartAsync(settings, data, role: "api");
            await using var b = await WebServer.StartAsync(settings, data, role: "api");
            using var admin = new HttpClient { BaseAddress = a.BaseAddress };
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", WebServer.AdminKey);
            var account = (string)JsonNode.Parse(await (await admin.PostAsync("api/admin/accounts", Json("""{"name":"shared","credits":100000}"""), Ct)).Content.ReadAsStringAsync(Ct))!["data"]!["accountId"]!;
            var key = (string)JsonNode.Parse(await (await admin.PostAsync($"api/admin/accounts/{account}/keys", Json("""{"tier":"tiny"}"""), Ct)).Content.ReadAsStringAsync(Ct))!["data"]!["apiKey"]!;
            var clients = new[] { a, b }.Select(s =>
            {
                var c = new HttpClient { BaseAddress = s.BaseAddress };
                c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
                return c;
            }).ToArray();

            while (DateTimeOffset.UtcNow.Second >= 50)
            {
                await Task.Delay(200, Ct); // keep the race inside one minute window
            }

            var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => clients[i % 2].PostAsync("api/v1/jobs/createTask",
                Json($$$"""{"model":"seedance-2.0-text-to-video","input":{"prompt":"shared {{{i}}}","resolution":"480p","duration":4}}"""), Ct)));

            Assert.True(responses.Count(r => r.StatusCode == HttpStatusCode.OK) == 5, "server logs:\n" + string.Join('\n', a.Log.Concat(b.Log).TakeLast(200)));
            Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
            Assert.All(responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests), r => Assert.NotNull(r.Headers.RetryAfter));
            Assert.True(responses.Where((r, i) => i % 2 == 0).Any(r => r.IsSuccessStatusCode) || responses.Where((r, i) => i % 2 == 1).Any(r => r.IsSuccessStatusCode));
            var credits = (long)JsonNode.Parse(await clients[1].GetStringAsync("api/v1/chat/credit", Ct))!["data"]!;
            var list = JsonNode.Parse(await clients[0].GetStringAsync("api/v1/jobs/list?limit=100", Ct))!["data"]!["items"]!.AsArray();
            Assert.Equal(5, list.Count);
            Assert.Equal(100000 - list.Sum(t => (long)t!["creditsConsumed"]!), credits);
            foreach (var c in clients)
            {
                c.Dispose();
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
}
