using System.Net;
using System.Text.Json.Nodes;
using Reelgate.Testing;

namespace Reelgate.Web.Tests;

/// <summary>A key's credit limit across nodes (issue 23): two API server processes on one PostgreSQL, creates of one key raced over both.</summary>
public sealed class PostgresKeyLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoApiNodes_200RacingCreatesOfOneLimitedKey_CreateExactlyTheRoom_AndTheBalanceAgrees()
    {
        await using var pg = new PostgresServer();
        await pg.InitializeAsync();
        var database = await pg.CreateDatabaseAsync();
        var root = Directory.CreateTempSubdirectory("reelgate-keylimit-").FullName;
        try
        {
            var settings = new Dictionary<string, string>
            {
                ["ConnectionStrings__Reelgate"] = database,
                ["Reelgate__Workers"] = "0",
                ["Reelgate__UrlSigningKey"] = "key-limit-test-url-signing-key-0123456789",
            };
            await using var api1 = await WebServer.StartAsync(settings, Directory.CreateDirectory(Path.Combine(root, "api1")).FullName, role: "api");
            await using var api2 = await WebServer.StartAsync(settings, Directory.CreateDirectory(Path.Combine(root, "api2")).FullName, role: "api");
            using var admin = api1.Client(WebServer.AdminKey);
            const string Body = """{"model":"seedance-2.0-text-to-video","input":{"prompt":"a raced limit","resolution":"480p","duration":4}}""";

            var account = (string)(await WebServer.PostJsonAsync(admin, "api/admin/accounts", """{"name":"limits","credits":1000000}"""))["accountId"]!;
            var probe = (string)(await WebServer.PostJsonAsync(admin, $"api/admin/accounts/{account}/keys", """{"tier":"unlimited"}"""))["apiKey"]!;
            using var probeClient = api1.Client(probe);
            var cost = (long)(await WebServer.PostJsonAsync(probeClient, "api/v1/jobs/quote", Body))["credits"]!;
            var key = (string)(await WebServer.PostJsonAsync(admin, $"api/admin/accounts/{account}/keys",
                $$"""{"tier":"unlimited","creditLimit":{{(10 * cost) + cost - 1}},"creditPeriod":"day"}"""))["apiKey"]!;
            var clients = new[] { api1.Client(key), api2.Client(key) };

            var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
            {
                using var response = await clients[i % 2].PostAsync("api/v1/jobs/createTask", new StringContent(Body, System.Text.Encoding.UTF8, "application/json"), Ct);
                return (response.StatusCode, Msg: (string)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["msg"]!);
            }));

            Assert.Equal(10, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
            Assert.Equal(190, answers.Count(a => a == (HttpStatusCode.PaymentRequired, "key credit limit reached")));
            var balance = (long)JsonNode.Parse(await probeClient.GetStringAsync("api/v1/chat/credit", Ct))!["data"]!;
            Assert.Equal(1_000_000 - (10 * cost), balance);
            var self = JsonNode.Parse(await clients[1].GetStringAsync("api/v1/keys/self", Ct))!["data"]!;
            Assert.Equal((10 * cost, cost - 1), ((long)self["spent"]!, (long)self["room"]!));
            var audit = JsonNode.Parse(await admin.GetStringAsync("api/admin/audit", Ct))!["data"]!;
            Assert.True((bool)audit["ok"]!, audit.ToJsonString());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
