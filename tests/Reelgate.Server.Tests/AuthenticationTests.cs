using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>API keys, the admin key, and account isolation.</summary>
public sealed class AuthenticationTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private ReelgateTestServer Server => shared.Server;

    private static readonly string[] PublicCalls = ["POST /api/v1/jobs/createTask", "GET /api/v1/jobs/recordInfo?taskId=task_x", "GET /api/v1/chat/credit"];

    private async Task AssertRefusedEverywhereAsync(string? authorization)
    {
        using var http = Server.NewClient();
        foreach (var call in PublicCalls)
        {
            var (method, path) = (call.Split(' ')[0], call.Split(' ')[1]);
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method == "POST")
            {
                request.Content = new StringContent("""{"model":"seedance-2.0-text-to-video","input":{"prompt":"p"}}""", System.Text.Encoding.UTF8, "application/json");
            }

            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();
            JsonBody.AssertError(response.StatusCode, body, 401, "authentication failed");
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer sk-tooshort")]
    [InlineData("Bearer sk-0123456789abcdefghijklmnopqrstuvwxyzABCD")]
    [InlineData("Bearer pk-0123456789abcdefghijklmnopqrstuvwxyzABCD")]
    [InlineData("Bearer sk-0123456789abcdefghijklmnopqrstuvwxyz!@#$")]
    [InlineData("Bearer test-admin-key-0123456789")]
    public async Task PublicApi_Returns401_WhenKeyIsMissingMalformedUnknownOrAdmin(string? authorization) =>
        await AssertRefusedEverywhereAsync(authorization);

    [Fact]
    public async Task PublicApi_Returns401_WhenKeyIsRevoked()
    {
        var (_, keyId, key) = await Server.CreateAccountAsync(1000);
        using var client = Server.NewClient(key);
        Assert.Equal(1000, await client.CreditsAsync());
        Assert.Equal(HttpStatusCode.OK, (await Server.Admin.DeleteAsync($"/api/admin/keys/{keyId}", TestContext.Current.CancellationToken)).StatusCode);
        await AssertRefusedEverywhereAsync("Bearer " + key);
    }

    [Fact]
    public async Task PublicApi_Returns401_WhenAccountIsDisabled()
    {
        var (accountId, _, key) = await Server.CreateAccountAsync(1000);
        using var client = Server.NewClient(key);
        Assert.Equal(1000, await client.CreditsAsync());
        var (status, body, _) = await Server.Admin.PostRawAsync($"/api/admin/accounts/{accountId}/disable", "");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(body["data"]);
        await AssertRefusedEverywhereAsync("Bearer " + key);
        var account = await Server.Admin.GetFromJsonAsync<JsonObject>($"/api/admin/accounts/{accountId}", TestContext.Current.CancellationToken);
        Assert.True((bool)account!["data"]!["disabled"]!);
    }

    [Fact]
    public async Task RecordInfo_Returns404NotForbidden_WhenTaskBelongsToAnotherAccount()
    {
        var (_, _, owner) = await Server.CreateAccountAsync(1000);
        var (_, _, stranger) = await Server.CreateAccountAsync(1000);
        using var ownerClient = Server.NewClient(owner);
        using var strangerClient = Server.NewClient(stranger);
        var (_, created, _) = await ownerClient.CreateTaskAsync(new { prompt = "mine" });
        var taskId = (string)created["data"]!["taskId"]!;

        var (status, body, _) = await strangerClient.GetJsonAsync("/api/v1/jobs/recordInfo?taskId=" + taskId);
        JsonBody.AssertError(status, body, 404, "task not found");
        Assert.Equal("waiting", (string)(await ownerClient.RecordInfoAsync(taskId))["state"]!);
    }

    [Fact]
    public async Task AdminApi_Returns401_WhenGivenAnApiKeyOrAWrongOrMissingKey()
    {
        var (accountId, _, key) = await Server.CreateAccountAsync(1000);
        foreach (var bearer in new[] { key, "wrong-admin-key-0123456789", null })
        {
            using var client = Server.NewClient(bearer);
            foreach (var (method, path) in new[] { ("GET", $"/api/admin/accounts/{accountId}"), ("POST", "/api/admin/accounts"), ("GET", "/api/admin/audit"), ("DELETE", "/api/admin/keys/key_x") })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method == "POST")
                {
                    request.Content = JsonContent.Create(new { name = "x", credits = 1 });
                }

                using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
                var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();
                JsonBody.AssertError(response.StatusCode, body, 401, "authentication failed");
            }
        }
    }

    [Fact]
    public async Task AdminApi_ManagesAccountsKeysAndCredits_PerSpecSection9()
    {
        var ct = TestContext.Current.CancellationToken;
        var (status, created, _) = await Server.Admin.PostRawAsync("/api/admin/accounts", """{"name":"acme","credits":1000}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var accountId = (string)created["data"]!["accountId"]!;
        Assert.StartsWith("acc_", accountId);

        var (_, keyBody, _) = await Server.Admin.PostRawAsync($"/api/admin/accounts/{accountId}/keys", """{"name":"ci","tier":"basic"}""");
        var apiKey = (string)keyBody["data"]!["apiKey"]!;
        Assert.Matches("^sk-[A-Za-z0-9]{32,}$", apiKey);
        Assert.StartsWith("key_", (string)keyBody["data"]!["keyId"]!);

        var (_, topUp, _) = await Server.Admin.PostRawAsync($"/api/admin/accounts/{accountId}/credits", """{"amount":500,"reason":"top-up"}""");
        Assert.Equal(1500, (long)topUp["data"]!["credits"]!);
        var (deductStatus, deduct, _) = await Server.Admin.PostRawAsync($"/api/admin/accounts/{accountId}/credits", """{"amount":-1501,"reason":"too much"}""");
        JsonBody.AssertError(deductStatus, deduct, 402, "insufficient credits");
        var (_, deducted, _) = await Server.Admin.PostRawAsync($"/api/admin/accounts/{accountId}/credits", """{"amount":-1500,"reason":"all of it"}""");
        Assert.Equal(0, (long)deducted["data"]!["credits"]!);

        var account = (await Server.Admin.GetFromJsonAsync<JsonObject>($"/api/admin/accounts/{accountId}", ct))!["data"]!.AsObject();
        Assert.Equal(["accountId", "name", "credits", "disabled", "keys"], account.Select(p => p.Key));
        Assert.Equal("acme", (string)account["name"]!);
        Assert.Equal(0, (long)account["credits"]!);
        Assert.False((bool)account["disabled"]!);
        var keyView = account["keys"]![0]!.AsObject();
        Assert.Equal(["keyId", "prefix", "name", "tier", "revoked"], keyView.Select(p => p.Key));
        Assert.StartsWith((string)keyView["prefix"]!, apiKey);
        Assert.True(((string)keyView["prefix"]!).Length < 16);
        Assert.DoesNotContain(apiKey, account.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("basic", (string)keyView["tier"]!);
        await Server.AssertAuditOkAsync();
    }

    [Theory]
    [InlineData("/api/admin/accounts", """{"credits":5}""", 422, "validation error: name must be a string of 1 to 200 characters")]
    [InlineData("/api/admin/accounts", """{"name":"x","credits":-5}""", 422, "validation error: credits must be a whole number from 0 to 1000000000000000")]
    [InlineData("/api/admin/accounts", """{"name":"x","credits":"lots"}""", 400, "invalid request")]
    [InlineData("/api/admin/accounts", """not json""", 400, "invalid request")]
    public async Task AdminApi_ValidatesBodies(string path, string body, int code, string msg)
    {
        var (status, json, _) = await Server.Admin.PostRawAsync(path, body);
        JsonBody.AssertError(status, json, code, msg);
    }

    [Fact]
    public async Task AdminApi_Returns404AndValidation_ForUnknownAccountsKeysAndTiers()
    {
        var ct = TestContext.Current.CancellationToken;
        var (s1, b1, _) = await Server.Admin.GetJsonAsync("/api/admin/accounts/acc_nope");
        JsonBody.AssertError(s1, b1, 404, "account not found");
        var (s2, b2, _) = await Server.Admin.PostRawAsync("/api/admin/accounts/acc_nope/keys", """{"tier":"basic"}""");
        JsonBody.AssertError(s2, b2, 404, "account not found");
        var (s3, b3, _) = await Server.Admin.PostRawAsync("/api/admin/accounts/acc_nope/credits", """{"amount":5}""");
        JsonBody.AssertError(s3, b3, 404, "account not found");
        using var revoke = await Server.Admin.DeleteAsync("/api/admin/keys/key_nope", ct);
        Assert.Equal(HttpStatusCode.NotFound, revoke.StatusCode);
        var (accountId, _, _) = await Server.CreateAccountAsync(0);
        var (s4, b4, _) = await Server.Admin.PostRawAsync($"/api/admin/accounts/{accountId}/keys", """{"tier":"platinum"}""");
        Assert.Equal(422, (int)s4);
        Assert.StartsWith("validation error: tier must be one of ", (string)b4["msg"]!);
    }

    [Fact]
    public async Task UnknownRoutesAndMethods_AnswerInTheEnvelope()
    {
        var (_, _, key) = await Server.CreateAccountAsync(0);
        using var client = Server.NewClient(key);
        var (s1, b1, _) = await client.GetJsonAsync("/api/v1/jobs/nothing");
        JsonBody.AssertError(s1, b1, 404, "not found");
        var (s2, b2, _) = await client.GetJsonAsync("/api/v1/jobs/createTask");
        JsonBody.AssertError(s2, b2, 405, "method not allowed");
    }
}
