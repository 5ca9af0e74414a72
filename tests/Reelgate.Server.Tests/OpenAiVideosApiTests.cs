using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Reelgate.Server.Tests.Infrastructure;
using Reelgate.Server.Tests.Media;

namespace Reelgate.Server.Tests;

/// <summary>
/// The OpenAI-compatible paths over raw HTTP (every exchange checked against the OpenAPI
/// document): they answer OpenAI's error shape, never the jobs-API envelope, whatever goes
/// wrong; delete cancels with the cancel's refund; a multipart retry with the same file and
/// Idempotency-Key is one video and one charge; the limits are the key's tier's.
/// </summary>
public sealed class OpenAiVideosApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task V1Paths_AnswerOpenAiErrors_NeverTheEnvelope_WhenTheRequestIsBroken()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (_, _, key) = await server.CreateAccountAsync(1_000);
        using var client = server.NewClient(key);
        using var anonymous = server.NewClient();
        using var raw = new HttpClient { BaseAddress = server.BaseAddress };
        raw.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var cases = new (string Name, Func<Task<HttpResponseMessage>> Send, HttpStatusCode Status, string? Param)[]
        {
            ("malformed JSON", () => client.PostAsync("/v1/videos", Json("{\"prompt\":"), Ct), HttpStatusCode.BadRequest, null),
            ("not an object", () => client.PostAsync("/v1/videos", Json("[1]"), Ct), HttpStatusCode.BadRequest, null),
            ("prompt a number", () => client.PostAsync("/v1/videos", Json("{\"prompt\":5}"), Ct), HttpStatusCode.BadRequest, "prompt"),
            ("seconds a boolean", () => client.PostAsync("/v1/videos", Json("{\"prompt\":\"a\",\"seconds\":true}"), Ct), HttpStatusCode.BadRequest, "seconds"),
            ("size an object", () => client.PostAsync("/v1/videos", Json("{\"prompt\":\"a\",\"size\":{}}"), Ct), HttpStatusCode.BadRequest, "size"),
            ("unknown field", () => client.PostAsync("/v1/videos", Json("{\"prompt\":\"a\",\"fps\":30}"), Ct), HttpStatusCode.BadRequest, "fps"),
            ("unknown model", () => client.PostAsync("/v1/videos", Json("{\"prompt\":\"a\",\"model\":\"sora-2\"}"), Ct), HttpStatusCode.BadRequest, "model"),
            ("prompt too long", () => client.PostAsync("/v1/videos", Json("{\"prompt\":\"" + new string('a', 20001) + "\"}"), Ct), HttpStatusCode.BadRequest, "prompt"),
            ("text-only model with a reference", () => client.PostAsync("/v1/videos", Json("{\"prompt\":\"a\",\"model\":\"seedance-2.0-text-to-video\",\"input_reference\":\"https://example.com/a.png\"}"), Ct), HttpStatusCode.BadRequest, "input_reference"),
            ("duplicate keys", () => client.PostAsync("/v1/videos", Json("{\"prompt\":\"a\",\"prompt\":\"b\"}"), Ct), HttpStatusCode.BadRequest, null),
            ("text/plain body", () => client.PostAsync("/v1/videos", new StringContent("prompt=a", Encoding.UTF8, "text/plain"), Ct), HttpStatusCode.BadRequest, null),
            ("no Authorization", () => anonymous.GetAsync("/v1/videos", Ct), HttpStatusCode.Unauthorized, null),
            ("unknown key", () => server.NewClient("sk-" + new string('x', 40)).PostAsync("/v1/videos", Json("{\"prompt\":\"a\"}"), Ct), HttpStatusCode.Unauthorized, null),
            ("unknown id", () => client.GetAsync("/v1/videos/task_nope", Ct), HttpStatusCode.NotFound, null),
            ("bad list limit", () => client.GetAsync("/v1/videos?limit=0", Ct), HttpStatusCode.BadRequest, "limit"),
            ("bad variant", () => client.GetAsync("/v1/videos/task_nope/content?variant=gif", Ct), HttpStatusCode.BadRequest, "variant"),
            ("remix without prompt", () => client.PostAsync("/v1/videos/task_nope/remix", Json("{}"), Ct), HttpStatusCode.BadRequest, "prompt"),
            ("unknown route", () => raw.GetAsync("/v1/nothing-here", Ct), HttpStatusCode.NotFound, null),
            ("wrong method", () => raw.PutAsync("/v1/videos", Json("{}"), Ct), HttpStatusCode.MethodNotAllowed, null),
        };
        foreach (var (name, send, status, param) in cases)
        {
            using var response = await send();
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(status == response.StatusCode, $"{name}: {(int)response.StatusCode} {text}");
            var body = JsonNode.Parse(text)!.AsObject();
            Assert.False(body.ContainsKey("code") || body.ContainsKey("msg") || body.ContainsKey("data"), $"{name}: the envelope: {text}");
            var error = body["error"]!.AsObject();
            Assert.Equal(["message", "type", "param", "code"], error.Select(p => p.Key));
            Assert.False(string.IsNullOrEmpty((string?)error["message"]), name);
            Assert.Equal(param, (string?)error["param"]);
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        }

        Assert.Equal(1_000, await client.CreditsAsync());
        Assert.Empty(server.ContractViolations);
    }

    [Fact]
    public async Task V1Paths_AnswerAnOpenAiServerError_WithoutDetails_WhenAStoreThrows()
    {
        await using var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" },
            s => s.AddSingleton(System.Reflection.DispatchProxy.Create<Reelgate.Core.Uploads.IUploadStore, ThrowingProxy>()));
        var (_, _, key) = await server.CreateAccountAsync(1_000);
        using var client = server.NewClient(key);

        using var response = await client.PostAsync("/v1/videos", Json("{\"prompt\":\"a\",\"input_reference\":{\"file_id\":\"file_x\"}}"), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("server_error", (string?)JsonNode.Parse(text)!["error"]!["type"]);
        Assert.DoesNotContain(ThrowingProxy.Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.Equal(1_000, await client.CreditsAsync());
    }

    [Fact]
    public async Task Delete_CancelsAQueuedVideoWithAFullRefund_AndContentIsNotReadyBefore()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (_, _, key) = await server.CreateAccountAsync(1_000);
        using var client = server.NewClient(key);

        using var created = await client.PostAsync("/v1/videos", Json("{\"prompt\":\"a red kite\",\"seconds\":\"5\",\"size\":\"1920x1080\"}"), Ct);
        var video = await ReadAsync(created);
        Assert.Equal(("queued", "5", "1920x1080", "seedance-2.0-text-to-video"), ((string?)video["status"], (string?)video["seconds"], (string?)video["size"], (string?)video["model"]));
        Assert.Equal(1_000 - 80 * 5, await client.CreditsAsync());
        var id = (string)video["id"]!;

        using var early = await client.GetAsync($"/v1/videos/{id}/content", Ct);
        Assert.Equal(HttpStatusCode.NotFound, early.StatusCode);
        Assert.Equal("video_not_ready", (string?)(await ReadAsync(early))["error"]!["code"]);

        using var deleted = await client.DeleteAsync($"/v1/videos/{id}", Ct);
        Assert.Equal((id, "video.deleted", true), ((string?)(await ReadAsync(deleted))["id"], "video.deleted", true));
        Assert.Equal(1_000, await client.CreditsAsync());
        var after = await ReadAsync(await client.GetAsync($"/v1/videos/{id}", Ct));
        Assert.Equal(("failed", "cancelled"), ((string?)after["status"], (string?)after["error"]!["code"]));
        Assert.Equal("fail", (string?)(await client.RecordInfoAsync(id))["failCode"] is "cancelled" ? "fail" : "other");
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task MultipartCreate_WithTheSameFileAndIdempotencyKey_IsOneVideoAndOneCharge()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (_, _, key) = await server.CreateAccountAsync(1_000);
        using var client = server.NewClient(key);
        var png = await TestMedia.PngAsync(640, 480);

        async Task<JsonObject> SendAsync(string prompt)
        {
            using var form = new MultipartFormDataContent { { new StringContent(prompt), "prompt" }, { new StringContent("4"), "seconds" }, { new StringContent("864x496"), "size" } };
            var file = new ByteArrayContent(png);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "input_reference", "first.png");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/videos") { Content = form };
            request.Headers.Add("Idempotency-Key", "same-file");
            using var response = await client.SendAsync(request, Ct);
            return await ReadAsync(response);
        }

        var first = await SendAsync("a slow push in");
        var again = await SendAsync("a slow push in");
        Assert.Equal((string?)first["id"], (string?)again["id"]);
        Assert.Equal("seedance-2.0-image-to-video", (string?)first["model"]);
        Assert.Equal(1_000 - 20 * 4, await client.CreditsAsync());

        var conflict = await SendAsync("another prompt");
        Assert.Equal("idempotency_key_conflict", (string?)conflict["error"]!["code"]);
        Assert.Equal(1_000 - 20 * 4, await client.CreditsAsync());
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task JsonCreate_TakesAnInputReferenceAsUrlOrFileId_AndRefusesAnotherAccountsFile()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (_, _, key) = await server.CreateAccountAsync(1_000);
        var (_, _, strangerKey) = await server.CreateAccountAsync(1_000);
        using var client = server.NewClient(key);
        using var stranger = server.NewClient(strangerKey);
        var fileUrl = await MediaCreateTests.UploadAsync(client, await TestMedia.PngAsync(640, 480));
        var fileId = fileUrl.Split('/')[4];

        using var byUrl = await client.PostAsync("/v1/videos", Json($"{{\"prompt\":\"a\",\"seconds\":\"4\",\"input_reference\":{{\"image_url\":\"{fileUrl}\"}}}}"), Ct);
        var video = await ReadAsync(byUrl);
        Assert.Equal(("seedance-2.0-image-to-video", "1280x720"), ((string?)video["model"], (string?)video["size"]));
        using var byId = await client.PostAsync("/v1/videos", Json($"{{\"prompt\":\"b\",\"seconds\":4,\"size\":\"720x1280\",\"input_reference\":{{\"file_id\":\"{fileId}\"}}}}"), Ct);
        Assert.Equal("720x1280", (string?)(await ReadAsync(byId))["size"]);
        Assert.Equal(1_000 - 2 * 40 * 4, await client.CreditsAsync());

        using var stolenId = await stranger.PostAsync("/v1/videos", Json($"{{\"prompt\":\"c\",\"input_reference\":{{\"file_id\":\"{fileId}\"}}}}"), Ct);
        Assert.Equal((HttpStatusCode.BadRequest, "input_reference"), (stolenId.StatusCode, (string?)(await ReadAsync(stolenId))["error"]!["param"]));
        using var stolenUrl = await stranger.PostAsync("/v1/videos", Json($"{{\"prompt\":\"c\",\"input_reference\":\"{fileUrl}\"}}"), Ct);
        var refused = (await ReadAsync(stolenUrl))["error"]!;
        Assert.Equal(("input_reference", "input_reference names a file uploaded by another account"), ((string?)refused["param"], (string?)refused["message"]));
        Assert.Equal(1_000, await stranger.CreditsAsync());
    }

    [Fact]
    public async Task Create_Answers429InOpenAiShape_WhenTheTiersLimitsAreReached()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Reelgate:Workers"] = "0",
            ["Reelgate:Tiers:tiny:CreatePerSecond"] = "100",
            ["Reelgate:Tiers:tiny:CreatePerMinute"] = "3",
            ["Reelgate:Tiers:tiny:ReadPerSecond"] = "100",
            ["Reelgate:Tiers:tiny:ReadPerMinute"] = "100",
            ["Reelgate:Tiers:tiny:ActiveTasks"] = "1",
        });
        var (_, _, key) = await server.CreateAccountAsync(1_000, "tiny");
        using var client = server.NewClient(key);

        using var ok = await client.PostAsync("/v1/videos", Json("{\"prompt\":\"one\",\"seconds\":4,\"size\":\"864x496\"}"), Ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var active = await client.PostAsync("/v1/videos", Json("{\"prompt\":\"two\",\"seconds\":4,\"size\":\"864x496\"}"), Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, active.StatusCode);
        Assert.Equal("active_task_limit_exceeded", (string?)(await ReadAsync(active))["error"]!["code"]);
        Assert.Equal("false", active.Headers.GetValues("x-should-retry").Single());
        using var third = await client.PostAsync("/v1/videos", Json("{\"prompt\":\"three\"}"), Ct);
        using var limited = await client.PostAsync("/v1/videos", Json("{\"prompt\":\"four\"}"), Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(("rate_limit_exceeded", "requests"), ((string?)(await ReadAsync(limited))["error"]!["code"], (string?)(await ReadAsync(limited))["error"]!["type"]));
        Assert.True(int.Parse(limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture) >= 0);
        Assert.Equal(1_000 - 80, await client.CreditsAsync());
    }

    [Fact]
    public async Task KeyLimits_AnswerInOpenAiShape_CreditLimitAs429InsufficientQuota_AddressAs401()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var (accountId, _, _) = await server.CreateAccountAsync(1_000);
        using var created = await server.Admin.PostAsync($"/api/admin/accounts/{accountId}/keys", Json("""{"tier":"unlimited","creditLimit":100,"creditPeriod":"total"}"""), Ct);
        var data = (await ReadAsync(created))["data"]!;
        var (keyId, key) = ((string)data["keyId"]!, (string)data["apiKey"]!);
        using var client = server.NewClient(key);

        using var first = await client.PostAsync("/v1/videos", Json("""{"prompt":"one","seconds":4,"size":"864x496"}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode); // 80 of the key's 100
        using var over = await client.PostAsync("/v1/videos", Json("""{"prompt":"two","seconds":4,"size":"864x496"}"""), Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        var error = (await ReadAsync(over))["error"]!;
        Assert.Equal(("insufficient_quota", "insufficient_quota"), ((string?)error["code"], (string?)error["type"]));
        Assert.StartsWith("key credit limit reached: this video costs 80 credits", (string)error["message"]!, StringComparison.Ordinal);
        Assert.Equal("false", over.Headers.GetValues("x-should-retry").Single());
        Assert.Equal(1_000 - 80, await client.CreditsAsync());

        using var patched = await server.Admin.PatchAsync($"/api/admin/keys/{keyId}", Json("""{"allowedIps":["203.0.113.0/24"]}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        using var refused = await client.GetAsync("/v1/videos", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var refusal = (await ReadAsync(refused))["error"]!;
        Assert.Equal(("invalid_api_key", "authentication failed: API key not allowed from 127.0.0.1"), ((string?)refusal["code"], (string?)refusal["message"]));
    }

    [Fact]
    public async Task Content_ServesRangesAndETag_AndListPagesBothWays()
    {
        await using var server = await ReelgateTestServer.StartAsync();
        var (_, _, key) = await server.CreateAccountAsync(1_000);
        using var client = server.NewClient(key);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var created = await client.PostAsync("/v1/videos", Json($"{{\"prompt\":\"kite {i}\",\"seconds\":4,\"size\":\"640x640\"}}"), Ct);
            ids.Add((string)(await ReadAsync(created))["id"]!);
        }

        foreach (var id in ids)
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while ((string?)(await ReadAsync(await client.GetAsync($"/v1/videos/{id}", Ct)))["status"] is "queued" or "in_progress" && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, Ct);
            }
        }

        using var whole = await client.GetAsync($"/v1/videos/{ids[0]}/content", Ct);
        Assert.Equal(("video/mp4", "bytes"), (whole.Content.Headers.ContentType?.MediaType, whole.Headers.AcceptRanges.Single()));
        var etag = whole.Headers.ETag!;
        var length = (await whole.Content.ReadAsByteArrayAsync(Ct)).Length;

        using var ranged = new HttpRequestMessage(HttpMethod.Get, $"/v1/videos/{ids[0]}/content?variant=video");
        ranged.Headers.Range = new RangeHeaderValue(0, 99);
        using var part = await client.SendAsync(ranged, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal((100, (long?)length), ((await part.Content.ReadAsByteArrayAsync(Ct)).Length, part.Content.Headers.ContentRange!.Length));

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/v1/videos/{ids[0]}/content");
        conditional.Headers.IfNoneMatch.Add(etag);
        using var unchanged = await client.SendAsync(conditional, Ct);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);

        using var poster = await client.GetAsync($"/v1/videos/{ids[0]}/content?variant=thumbnail", Ct);
        Assert.Equal("image/jpeg", poster.Content.Headers.ContentType?.MediaType);

        async Task<List<string>> WalkAsync(string order)
        {
            var seen = new List<string>();
            string? after = null;
            do
            {
                var page = await ReadAsync(await client.GetAsync($"/v1/videos?limit=2&order={order}" + (after is null ? "" : "&after=" + after), Ct));
                seen.AddRange(page["data"]!.AsArray().Select(v => (string)v!["id"]!));
                after = (bool)page["has_more"]! ? (string?)page["last_id"] : null;
            }
            while (after is not null);
            return seen;
        }

        Assert.Equal(ids, await WalkAsync("asc"));
        Assert.Equal(Enumerable.Reverse(ids), await WalkAsync("desc"));
        Assert.Equal(1_000 - 3 * 80, await client.CreditsAsync());
        Assert.Empty(server.ContractViolations);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesEveryV1Route_WithOpenAiErrors()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        using var http = server.NewClient();
        var paths = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json", Ct))!["paths"]!.AsObject();
        foreach (var (path, method) in new[] { ("/v1/videos", "post"), ("/v1/videos", "get"), ("/v1/videos/{videoId}", "get"), ("/v1/videos/{videoId}", "delete"), ("/v1/videos/{videoId}/content", "get"), ("/v1/videos/{videoId}/remix", "post") })
        {
            var operation = paths[path]?[method]?.AsObject();
            Assert.True(operation is not null, $"{method} {path} is missing");
            Assert.True(operation["responses"]!.AsObject().ContainsKey("401"), $"{method} {path} does not document 401");
            Assert.Contains("OpenAiErrorBody", operation["responses"]!["401"]!.ToJsonString(), StringComparison.Ordinal);
            Assert.NotNull(operation["security"]);
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();

    /// <summary>A store that fails as broken infrastructure does: an exception carrying a path.</summary>
    public class ThrowingProxy : System.Reflection.DispatchProxy
    {
        public const string Secret = "/var/secret/reelgate.db";

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args) =>
            throw new InvalidOperationException("cannot open " + Secret);
    }
}
