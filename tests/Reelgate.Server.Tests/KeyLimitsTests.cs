using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>Per-key limits over HTTP (issue 23): the admin API, keys/self, the credit limit's 402, the address allowlist with and without a trusted proxy, expiry by a fake clock.</summary>
public sealed class KeyLimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Status, JsonObject Body)> SendAsync(HttpClient client, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request, Ct);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject());
    }

    /// <summary>An account with credits and one key with the given fields (name and tier added).</summary>
    private static async Task<(string AccountId, string KeyId, string ApiKey)> KeyWithAsync(ReelgateTestServer server, long credits, object fields)
    {
        var (accountId, _, _) = await server.CreateAccountAsync(credits);
        var body = JsonNode.Parse(JsonSerializer.Serialize(fields))!.AsObject();
        body["name"] = "limited";
        body["tier"] = "unlimited";
        var (status, key) = await SendAsync(server.Admin, HttpMethod.Post, $"/api/admin/accounts/{accountId}/keys", body.ToJsonString());
        Assert.True(status == HttpStatusCode.OK, key.ToJsonString());
        return (accountId, (string)key["data"]!["keyId"]!, (string)key["data"]!["apiKey"]!);
    }

    [Fact]
    public async Task AdminApi_SetsPatchesAndClearsLimits_Refuses422s_AndKeysSelfShowsThem()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        var (accountId, keyId, apiKey) = await KeyWithAsync(server, 1000, new { creditLimit = 100, creditPeriod = "day", allowedIps = new[] { "127.0.0.1", "::1", "10.0.0.0/8" }, expiresAt = expires });
        using var client = server.NewClient(apiKey);

        var (status, self, _) = await client.GetJsonAsync("/api/v1/keys/self");
        Assert.Equal(HttpStatusCode.OK, status);
        var d = self["data"]!;
        Assert.Equal((keyId, 100L, "day", expires), ((string)d["keyId"]!, (long)d["creditLimit"]!, (string)d["creditPeriod"]!, (long)d["expiresAt"]!));
        Assert.Equal(["127.0.0.1/32", "::1/128", "10.0.0.0/8"], d["allowedIps"]!.AsArray().Select(n => (string)n!));
        Assert.Equal((0L, 100L, "127.0.0.1"), ((long)d["spent"]!, (long)d["room"]!, (string)d["clientIp"]!));
        var today = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        Assert.Equal((today.ToUnixTimeMilliseconds(), today.AddDays(1).ToUnixTimeMilliseconds()), ((long)d["periodStart"]!, (long)d["periodEnd"]!));
        Assert.DoesNotContain(apiKey, self.ToJsonString());

        foreach (var (fields, expected, patchToo) in new (object Fields, string Msg, bool PatchToo)[]
        {
            (new { creditLimit = 10 }, "validation error: creditPeriod (day, month or total) is required with creditLimit", false), // a PATCH keeps the key's period
            (new { creditLimit = 10, creditPeriod = "week" }, "validation error: creditPeriod must be day, month (UTC) or total", true),
            (new { creditLimit = -1, creditPeriod = "day" }, "validation error: creditLimit must be a whole number of credits from 0 to 1000000000000000, or null for no limit", true),
            (new { allowedIps = new[] { "10.0.0.300" } }, "validation error: allowedIps has '10.0.0.300', which is not an IPv4/IPv6 address or a CIDR range such as 203.0.113.0/24", true),
            (new { allowedIps = new[] { "10.0.0.1/8" } }, "validation error: allowedIps has '10.0.0.1/8', which is not an IPv4/IPv6 address or a CIDR range such as 203.0.113.0/24", true),
            (new { allowedIps = Array.Empty<string>() }, "validation error: allowedIps must list 1 to 100 addresses or CIDR ranges, or be null for any address", true),
            (new { expiresAt = 1_000 }, "validation error: expiresAt must be a time in the future (Unix milliseconds), or null for never", true),
        })
        {
            var body = JsonNode.Parse(JsonSerializer.Serialize(fields))!.AsObject();
            body["tier"] = "basic";
            var (createStatus, created) = await SendAsync(server.Admin, HttpMethod.Post, $"/api/admin/accounts/{accountId}/keys", body.ToJsonString());
            Assert.Equal((HttpStatusCode.UnprocessableEntity, expected), (createStatus, (string)created["msg"]!));
            if (patchToo)
            {
                body.Remove("tier");
                var (patchStatus, patched) = await SendAsync(server.Admin, HttpMethod.Patch, $"/api/admin/keys/{keyId}", body.ToJsonString());
                Assert.Equal((HttpStatusCode.UnprocessableEntity, expected), (patchStatus, (string)patched["msg"]!));
            }
        }

        var (unknown, unknownBody) = await SendAsync(server.Admin, HttpMethod.Patch, $"/api/admin/keys/{keyId}", new { creditlimit = 5 });
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "validation error: unknown field 'creditlimit'; a key's limits are creditLimit, creditPeriod, allowedIps, expiresAt"), (unknown, (string)unknownBody["msg"]!));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(server.Admin, HttpMethod.Patch, "/api/admin/keys/key_missing", new { creditLimit = (long?)null })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(server.Admin, HttpMethod.Patch, $"/api/admin/keys/{keyId}", "[1]")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(client, HttpMethod.Patch, $"/api/admin/keys/{keyId}", new { creditLimit = (long?)null })).Status);

        // A field absent keeps its value; null clears; clearing the limit clears its period.
        var (ok, lowered) = await SendAsync(server.Admin, HttpMethod.Patch, $"/api/admin/keys/{keyId}", new { creditLimit = 50 });
        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal((50L, "day", expires), ((long)lowered["data"]!["creditLimit"]!, (string)lowered["data"]!["creditPeriod"]!, (long)lowered["data"]!["expiresAt"]!));
        var (_, cleared) = await SendAsync(server.Admin, HttpMethod.Patch, $"/api/admin/keys/{keyId}", """{"creditLimit":null,"allowedIps":null,"expiresAt":null}""");
        var c = cleared["data"]!;
        Assert.Equal(["keyId", "accountId", "prefix", "name", "tier", "revoked", "createTime", "creditLimit", "creditPeriod", "allowedIps", "expiresAt"], c.AsObject().Select(p => p.Key));
        Assert.Equal((keyId, accountId, "limited", "unlimited"), ((string)c["keyId"]!, (string)c["accountId"]!, (string)c["name"]!, (string)c["tier"]!));
        Assert.All(new[] { "creditLimit", "creditPeriod", "allowedIps", "expiresAt" }, f => Assert.Null(c[f]));
        var (_, got, _) = await server.Admin.GetJsonAsync($"/api/admin/keys/{keyId}");
        Assert.Equal(c.ToJsonString(), got["data"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.NotFound, (await server.Admin.GetJsonAsync("/api/admin/keys/key_missing")).Status);
        var (_, account, _) = await server.Admin.GetJsonAsync($"/api/admin/accounts/{accountId}");
        Assert.Equal(["keyId", "prefix", "name", "tier", "revoked"], account["data"]!["keys"]![0]!.AsObject().Select(p => p.Key)); // the spec's view, unchanged
        var (_, after, _) = await client.GetJsonAsync("/api/v1/keys/self");
        Assert.Null(after["data"]!["room"]);
        Assert.Null(after["data"]!["periodEnd"]);
    }

    [Fact]
    public async Task CreditLimit_Answers402_KeepsTheBalance_QuoteShowsTheRoom_AndACancelGivesItBack()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var input = new { prompt = "a limited key", resolution = "480p", duration = 4 };
        var (_, _, probe) = await server.CreateAccountAsync(1000);
        using var probeClient = server.NewClient(probe);
        var (_, quote, _) = await probeClient.PostRawAsync("/api/v1/jobs/quote", JsonSerializer.Serialize(new { model = "seedance-2.0-text-to-video", input }), null);
        var cost = (long)quote["data"]!["credits"]!;

        var (_, _, apiKey) = await KeyWithAsync(server, 10 * cost, new { creditLimit = 2 * cost + 1, creditPeriod = "month" });
        using var client = server.NewClient(apiKey);
        var (firstStatus, first, _) = await client.CreateTaskAsync(input);
        Assert.Equal(HttpStatusCode.OK, firstStatus);
        Assert.Equal(HttpStatusCode.OK, (await client.CreateTaskAsync(input)).Status);

        var (_, room, _) = await client.PostRawAsync("/api/v1/jobs/quote", JsonSerializer.Serialize(new { model = "seedance-2.0-text-to-video", input }), null);
        Assert.Equal((cost, 8 * cost, 1L), ((long)room["data"]!["credits"]!, (long)room["data"]!["balance"]!, (long)room["data"]!["keyRoom"]!));
        var (refused, body, _) = await client.CreateTaskAsync(input);
        Assert.Equal((HttpStatusCode.PaymentRequired, 402, "key credit limit reached"), (refused, (int)body["code"]!, (string)body["msg"]!));
        Assert.Equal(8 * cost, await client.CreditsAsync()); // the account is untouched by the refusal

        var (cancelled, _, _) = await client.PostRawAsync("/api/v1/jobs/cancel", JsonSerializer.Serialize(new { taskId = (string)first["data"]!["taskId"]! }));
        Assert.Equal(HttpStatusCode.OK, cancelled);
        var (_, self, _) = await client.GetJsonAsync("/api/v1/keys/self");
        Assert.Equal((cost, cost + 1), ((long)self["data"]!["spent"]!, (long)self["data"]!["room"]!));
        Assert.Equal(HttpStatusCode.OK, (await client.CreateTaskAsync(input)).Status);
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task AllowedIps_WithoutATrustedProxy_IsThePeer_AndXForwardedForIsIgnored_AndOnlyThePrefixIsLogged()
    {
        var capture = new CapturingLoggerProvider();
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" }, s => s.AddSingleton<ILoggerProvider>(capture));
        var (_, _, apiKey) = await KeyWithAsync(server, 100, new { allowedIps = new[] { "203.0.113.0/24" } });
        using var client = server.NewClient(apiKey);

        var (status, body, _) = await client.GetJsonAsync("/api/v1/chat/credit");
        Assert.Equal((HttpStatusCode.Unauthorized, "authentication failed: API key not allowed from 127.0.0.1"), (status, (string)body["msg"]!));
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");
        var (spoofed, spoofedBody, _) = await client.GetJsonAsync("/api/v1/chat/credit");
        Assert.Equal((HttpStatusCode.Unauthorized, "authentication failed: API key not allowed from 127.0.0.1"), (spoofed, (string)spoofedBody["msg"]!));

        // The OpenAI surface says the same in its own shape.
        using var raw = new HttpClient { BaseAddress = server.BaseAddress };
        raw.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        using var openAiResponse = await raw.GetAsync("/v1/videos", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, openAiResponse.StatusCode);
        Assert.Equal("authentication failed: API key not allowed from 127.0.0.1", (string)JsonNode.Parse(await openAiResponse.Content.ReadAsStringAsync(Ct))!["error"]!["message"]!);

        var logs = capture.Text;
        Assert.Contains(apiKey[..Reelgate.Server.Security.ApiKeyFormat.Prefix(apiKey).Length], logs);
        Assert.Contains("refused: not allowed from 127.0.0.1", logs);
        Assert.DoesNotContain(apiKey, logs);
    }

    [Fact]
    public async Task AllowedIps_BehindATrustedProxy_ReadXForwardedForFromTheRight()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Reelgate:Workers"] = "0",
            ["Reelgate:TrustedProxies:0"] = "127.0.0.0/8",
            ["Reelgate:TrustedProxies:1"] = "10.1.2.3",
        });
        var (_, _, apiKey) = await KeyWithAsync(server, 100, new { allowedIps = new[] { "203.0.113.0/24", "2001:db8::/32" } });

        async Task<(HttpStatusCode, string?)> AsAsync(string? forwardedFor)
        {
            using var client = server.NewClient(apiKey);
            if (forwardedFor is not null)
            {
                client.DefaultRequestHeaders.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
            }

            var (status, body, _) = await client.GetJsonAsync("/api/v1/keys/self");
            return (status, status == HttpStatusCode.OK ? (string?)body["data"]!["clientIp"] : (string?)body["msg"]);
        }

        Assert.Equal((HttpStatusCode.OK, "203.0.113.7"), await AsAsync("203.0.113.7"));
        Assert.Equal((HttpStatusCode.OK, "203.0.113.7"), await AsAsync("198.51.100.1, 203.0.113.7, 10.1.2.3")); // the leftmost is the client's own claim
        Assert.Equal((HttpStatusCode.OK, "2001:db8::5"), await AsAsync("[2001:db8::5]:4711"));
        Assert.Equal((HttpStatusCode.Unauthorized, "authentication failed: API key not allowed from 198.51.100.9"), await AsAsync("203.0.113.7, 198.51.100.9"));
        Assert.Equal((HttpStatusCode.Unauthorized, "authentication failed: API key not allowed from 127.0.0.1"), await AsAsync(null));
        Assert.Equal((HttpStatusCode.Unauthorized, "authentication failed: API key not allowed from an unknown address"), await AsAsync("not-an-address"));
    }

    [Fact]
    public async Task ExpiresAt_RefusesTheKeyFromThatMillisecond_ByAFakeClock_AndClearingItRestoresTheKey()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" },
            s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        var expires = clock.GetUtcNow().AddHours(1).ToUnixTimeMilliseconds();
        var (_, keyId, apiKey) = await KeyWithAsync(server, 100, new { expiresAt = expires });
        using var client = server.NewClient(apiKey);

        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync("/api/v1/chat/credit")).Status);
        clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync("/api/v1/chat/credit")).Status); // cached, and still 1 ms to go
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var (status, body, _) = await client.GetJsonAsync("/api/v1/chat/credit");
        Assert.Equal((HttpStatusCode.Unauthorized, "authentication failed: API key expired"), (status, (string)body["msg"]!));
        var (createStatus, _, _) = await client.CreateTaskAsync(new { prompt = "too late" });
        Assert.Equal(HttpStatusCode.Unauthorized, createStatus);

        // A PATCH of another field keeps the passed expiry; clearing it restores the key at once.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(server.Admin, HttpMethod.Patch, $"/api/admin/keys/{keyId}", new { creditLimit = 10, creditPeriod = "total" })).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetJsonAsync("/api/v1/chat/credit")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(server.Admin, HttpMethod.Patch, $"/api/admin/keys/{keyId}", """{"expiresAt":null}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync("/api/v1/chat/credit")).Status);
    }
}
