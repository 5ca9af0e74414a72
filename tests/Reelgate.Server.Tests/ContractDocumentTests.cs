using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Reelgate.Core.Results;
using Reelgate.Server.Security;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>
/// The OpenAPI document says what the server reads and answers (issue 17, item 6): query
/// parameters, request bodies, the Bearer keys, the models' defaults, a null callBackUrl, the
/// result files. Every client of <see cref="ReelgateTestServer"/> also checks each exchange
/// against the document (<see cref="ContractCheckingHandler"/>); the last tests prove that check bites.
/// </summary>
public sealed class ContractDocumentTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private const string Model = "seedance-2.0-text-to-video";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonObject> PathsAsync() => (await shared.Server.ContractAsync()).Document["paths"]!.AsObject();

    private static JsonObject Parameter(JsonObject operation, string name)
    {
        var found = operation["parameters"]?.AsArray().SingleOrDefault(p => (string?)p?["name"] == name);
        Assert.True(found is not null, $"'{name}' is not a parameter of the operation");
        return found.AsObject();
    }

    [Fact]
    public async Task RecordInfo_DeclaresItsRequiredTaskIdQueryParameter()
    {
        var recordInfo = (await PathsAsync())["/api/v1/jobs/recordInfo"]!["get"]!.AsObject();

        var taskId = Parameter(recordInfo, "taskId");
        Assert.Equal("query", (string)taskId["in"]!);
        Assert.True((bool)taskId["required"]!);
        Assert.Equal("string", (string)taskId["schema"]!["type"]!);
    }

    [Fact]
    public async Task List_DeclaresStateModelLimitAndCursor_AndAFullyParameterizedCallFitsThem()
    {
        var list = (await PathsAsync())["/api/v1/jobs/list"]!["get"]!.AsObject();

        Assert.Equal(["waiting", "success", "fail"], Parameter(list, "state")["schema"]!["enum"]!.AsArray().Select(v => (string)v!));
        Assert.Equal("string", (string)Parameter(list, "model")["schema"]!["type"]!);
        var limit = Parameter(list, "limit")["schema"]!;
        Assert.Equal(("integer", 1, 100, 20), ((string)limit["type"]!, (int)limit["minimum"]!, (int)limit["maximum"]!, (int)limit["default"]!));
        Assert.Equal("string", (string)Parameter(list, "cursor")["schema"]!["type"]!);
        Assert.All(new[] { "state", "model", "limit", "cursor" }, n => Assert.Equal("query", (string)Parameter(list, n)["in"]!));

        // Through the checking client: every query name of an accepted call must be documented.
        var (_, _, key) = await shared.Server.CreateAccountAsync(10_000, "roomy");
        using var client = shared.Server.NewClient(key);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.CreateTaskAsync(new { prompt = "page " + i, resolution = "480p", duration = 4 })).Status);
        }

        var (_, first, _) = await client.GetJsonAsync($"/api/v1/jobs/list?state=waiting&model={Model}&limit=2");
        var cursor = (string)first["data"]!["nextCursor"]!;
        var (status, second, _) = await client.GetJsonAsync($"/api/v1/jobs/list?state=waiting&model={Model}&limit=2&cursor={Uri.EscapeDataString(cursor)}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Single(second["data"]!["items"]!.AsArray());
    }

    [Theory]
    [InlineData("/api/v1/jobs/cancel", "CancelTaskRequest", true, "taskId")]
    [InlineData("/api/admin/accounts", "CreateAccountRequest", true, "name")]
    [InlineData("/api/admin/accounts/{accountId}/credits", "AdjustCreditsRequest", true, "amount")]
    [InlineData("/api/admin/accounts/{accountId}/keys", "CreateKeyRequest", false, null)]
    public async Task CancelAndAdminWrites_DeclareTheJsonBodyTheirHandlerReads(string path, string schemaName, bool required, string? requiredField)
    {
        var document = (await shared.Server.ContractAsync()).Document;
        var body = document["paths"]![path]!["post"]!["requestBody"];
        Assert.True(body is not null, $"POST {path} declares no request body");

        Assert.Equal(required, (bool?)body["required"] == true);
        Assert.Equal("#/components/schemas/" + schemaName, (string)body["content"]!["application/json"]!["schema"]!["$ref"]!);
        var schema = document["components"]!["schemas"]![schemaName]!;
        Assert.Equal(requiredField is null ? [] : [requiredField], schema["required"]?.AsArray().Select(r => (string)r!) ?? []);
    }

    [Fact]
    public async Task AcceptedCancelAndAdminBodies_FitTheirDocumentedSchemas()
    {
        // Each call goes through the checking client, which validates the body of every accepted request.
        var server = shared.Server;
        var (accountId, _, key) = await server.CreateAccountAsync(1000, "roomy");
        Assert.Equal(HttpStatusCode.OK, (await server.Admin.PostRawAsync($"/api/admin/accounts/{accountId}/credits", """{"amount":-5,"reason":"fit check"}""")).Status);
        Assert.Equal(HttpStatusCode.OK, (await server.Admin.PostRawAsync($"/api/admin/accounts/{accountId}/keys", "")).Status);
        using var client = server.NewClient(key);
        var (_, created, _) = await client.CreateTaskAsync(new { prompt = "to cancel", resolution = "480p", duration = 4 });
        var (status, _, _) = await client.PostRawAsync("/api/v1/jobs/cancel", $$"""{"taskId":"{{(string)created["data"]!["taskId"]!}}"}""");
        Assert.Equal(HttpStatusCode.OK, status);

        var contract = await server.ContractAsync();
        var schemas = contract.Document["components"]!["schemas"]!;
        Assert.True(schemas["AdjustCreditsRequest"] is not null && schemas["CreateKeyRequest"] is not null, "the admin request schemas are missing");
        Assert.NotEmpty(contract.Validate(schemas["AdjustCreditsRequest"]!, """{"amount":0}"""));
        Assert.NotEmpty(contract.Validate(schemas["AdjustCreditsRequest"]!, """{"amount":"5"}"""));
        Assert.NotEmpty(contract.Validate(schemas["CreateKeyRequest"]!, """{"tier":"no-such-tier"}"""));
    }

    [Fact]
    public async Task EveryApiOperation_DeclaresTheBearerKeyItNeeds()
    {
        var document = (await shared.Server.ContractAsync()).Document;
        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        foreach (var (name, words) in new[] { ("apiKey", "sk-"), ("adminKey", "admin key") })
        {
            Assert.True(schemes.ContainsKey(name), $"no '{name}' security scheme (has {string.Join(", ", schemes.Select(s => s.Key))})");
            Assert.Equal(("http", "bearer"), ((string)schemes[name]!["type"]!, (string)schemes[name]!["scheme"]!));
            Assert.Contains(words, (string)schemes[name]!["description"]!, StringComparison.Ordinal);
        }

        var checkedOperations = 0;
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            var expected = path.StartsWith("/api/v1/", StringComparison.Ordinal) || path.StartsWith("/api/file-", StringComparison.Ordinal) || path.StartsWith("/v1/", StringComparison.Ordinal) ? "apiKey" : path.StartsWith("/api/admin/", StringComparison.Ordinal) ? "adminKey" : null;
            foreach (var (method, operation) in item!.AsObject().Where(m => m.Value is JsonObject o && o.ContainsKey("responses")))
            {
                var security = operation!["security"]?.AsArray();
                if (expected is null)
                {
                    Assert.True(security is null, $"{method} {path} needs no key but declares {security?.ToJsonString()}");
                    continue;
                }

                Assert.True(security is [JsonObject requirement] && requirement.Count == 1 && requirement.ContainsKey(expected), $"{method} {path} should require {expected}: {security?.ToJsonString() ?? "nothing"}");
                checkedOperations++;
            }
        }

        Assert.True(checkedOperations >= 16, $"only {checkedOperations} operations under /api");
    }

    [Fact]
    public async Task ModelsResponse_ValidatesAgainstTheDocument_WithEachDefaultAsItIs()
    {
        var (_, _, key) = await shared.Server.CreateAccountAsync(0);
        // A plain client: this test checks the body itself instead of relying on the checking handler.
        using var plain = new HttpClient { BaseAddress = shared.Server.BaseAddress };
        plain.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var body = await plain.GetStringAsync("/api/v1/models", Ct);
        var contract = await shared.Server.ContractAsync();
        var schema = contract.Document["paths"]!["/api/v1/models"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!;

        Assert.Equal([], contract.Validate(schema, body));
        var defaults = JsonNode.Parse(body)!["data"]![0]!["input"]!.AsArray().Select(f => f!["default"]?.GetValueKind()).ToHashSet();
        Assert.Superset(new HashSet<System.Text.Json.JsonValueKind?> { null, System.Text.Json.JsonValueKind.String, System.Text.Json.JsonValueKind.Number, System.Text.Json.JsonValueKind.False }, defaults);
    }

    [Fact]
    public async Task CallBackUrl_MayBeNull_ForTheServerAndTheDocument()
    {
        var contract = await shared.Server.ContractAsync();
        var schema = contract.Document["paths"]!["/api/v1/jobs/createTask"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
        var request = $$"""{"model":"{{Model}}","input":{"prompt":"no callback","resolution":"480p","duration":4},"callBackUrl":null}""";

        Assert.Equal([], contract.Validate(schema, request));
        Assert.NotEmpty(contract.Validate(schema, request.Replace("null}", "5}", StringComparison.Ordinal)));
        var (_, _, key) = await shared.Server.CreateAccountAsync(1000, "roomy");
        using var client = shared.Server.NewClient(key);
        Assert.Equal(HttpStatusCode.OK, (await client.PostRawAsync("/api/v1/jobs/createTask", request)).Status);
    }

    [Fact]
    public async Task ResultFiles_AreDocumentedWithTheirPathShape_AndAnswerOnlyWhatTheDocumentSays()
    {
        var paths = await PathsAsync();
        Assert.True(paths.ContainsKey("/files/{taskId}/{file}"), $"no /files/{{taskId}}/{{file}} (files: {string.Join(", ", paths.Select(p => p.Key).Where(p => p.StartsWith("/files", StringComparison.Ordinal)))})");
        var item = paths["/files/{taskId}/{file}"]!.AsObject();
        Assert.Equal(["taskId", "file", "expires", "sig"], item["parameters"]!.AsArray().Select(p => (string)p!["name"]!));
        foreach (var method in new[] { "get", "head" })
        {
            var responses = item[method]!["responses"]!.AsObject();
            Assert.Equal(["video/mp4", "image/jpeg", "image/png", "image/webp", "video/quicktime", "audio/mpeg", "audio/wav", "audio/mp4"], responses["200"]!["content"]!.AsObject().Select(c => c.Key));
            Assert.Equal("#/components/schemas/ApiEnvelopeOfObject", (string)responses["403"]!["content"]!["application/json"]!["schema"]!["$ref"]!);
            Assert.Equal("#/components/schemas/ApiEnvelopeOfObject", (string)responses["404"]!["content"]!["application/json"]!["schema"]!["$ref"]!);
            Assert.True(responses.ContainsKey("206") && responses.ContainsKey("304"));
        }

        // A stored file and signed URLs, fetched through the checking client (no key: URLs carry their signature).
        var server = shared.Server;
        var taskId = "task_contract" + Guid.NewGuid().ToString("N");
        var source = Path.Combine(server.DataDirectory, taskId + ".mp4");
        await File.WriteAllBytesAsync(source, new byte[4096], Ct);
        await server.Get<IResultStore>().PutAsync(taskId, "video.mp4", source, Ct);
        var signer = server.Get<ResultUrlSigner>();
        var baseUrl = server.BaseAddress.ToString().TrimEnd('/');
        var url = signer.Sign(baseUrl, taskId + "/video.mp4", TimeSpan.FromHours(1));
        Assert.Matches("^/files/task_[A-Za-z0-9]+/video\\.mp4$", new Uri(url).AbsolutePath);
        using var http = server.NewClient();

        using var whole = await http.GetAsync(url, Ct);
        Assert.Equal((HttpStatusCode.OK, "video/mp4"), (whole.StatusCode, whole.Content.Headers.ContentType!.MediaType));
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url), Ct);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        using var range = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new RangeHeaderValue(0, 99) } };
        Assert.Equal(HttpStatusCode.PartialContent, (await http.SendAsync(range, Ct)).StatusCode);
        using var unchanged = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { IfNoneMatch = { whole.Headers.ETag! } } };
        Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(unchanged, Ct)).StatusCode);

        var (forbidden, forbiddenBody, _) = await http.GetJsonAsync(url.Replace("sig=", "sig=x", StringComparison.Ordinal));
        JsonBody.AssertError(forbidden, forbiddenBody, 403, "forbidden");
        var (missing, missingBody, _) = await http.GetJsonAsync(signer.Sign(baseUrl, taskId + "/thumb.jpg", TimeSpan.FromHours(1)));
        JsonBody.AssertError(missing, missingBody, 404, "file not found");
    }

    [Fact]
    public async Task ContractCheck_FailsWithMethodPathStatusAndBody_WhenAStatusIsUndocumented()
    {
        var document = (await shared.Server.ContractAsync()).Document.DeepClone().AsObject();
        document["paths"]!["/api/v1/jobs/recordInfo"]!["get"]!["responses"]!.AsObject().Remove("404");
        var (_, _, key) = await shared.Server.CreateAccountAsync(0);
        using var client = CheckedClient(document, key, out var violations);

        var error = await Assert.ThrowsAsync<ContractViolationException>(() => client.GetAsync("/api/v1/jobs/recordInfo?taskId=task_nothing", Ct));

        Assert.Contains("GET /api/v1/jobs/recordInfo", error.Message, StringComparison.Ordinal);
        Assert.Contains("status 404 is not documented", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"msg\":\"task not found\"", error.Message, StringComparison.Ordinal);
        Assert.Single(violations);
    }

    [Fact]
    public async Task ContractCheck_FailsWithTheSchemaError_WhenABodyDoesNotFitItsSchema()
    {
        var document = (await shared.Server.ContractAsync()).Document.DeepClone().AsObject();
        document["components"]!["schemas"]!["ApiEnvelopeOflong"]!["properties"]!["data"] = new JsonObject { ["type"] = "string" };
        document["paths"]!["/api/v1/jobs/list"]!["get"]!["parameters"] = new JsonArray();
        var (_, _, key) = await shared.Server.CreateAccountAsync(77);
        using var client = CheckedClient(document, key, out _);

        var wrongBody = await Assert.ThrowsAsync<ContractViolationException>(() => client.GetAsync("/api/v1/chat/credit", Ct));
        Assert.Contains("response body /data: type", wrongBody.Message, StringComparison.Ordinal);
        Assert.Contains("\"data\":77", wrongBody.Message, StringComparison.Ordinal);
        var undocumentedQuery = await Assert.ThrowsAsync<ContractViolationException>(() => client.GetAsync("/api/v1/jobs/list?limit=5", Ct));
        Assert.Contains("query parameter 'limit' was accepted but is not documented", undocumentedQuery.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContractCheck_LeavesServerSentEventsStreaming()
    {
        var (_, _, key) = await shared.Server.CreateAccountAsync(1000, "roomy");
        using var client = shared.Server.NewClient(key);
        var (_, created, _) = await client.CreateTaskAsync(new { prompt = "stays waiting", resolution = "480p", duration = 4 });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/jobs/events?taskId=" + (string)created["data"]!["taskId"]!);

        // Workers=0: the task stays waiting and the stream stays open; a buffering handler would never return.
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("id: ", await reader.ReadLineAsync(Ct));
    }

    private HttpClient CheckedClient(JsonObject document, string key, out List<string> violations)
    {
        var found = new List<string>();
        violations = found;
        var contract = OpenApiContract.Parse(document.ToJsonString());
        var handler = new ContractCheckingHandler(() => Task.FromResult(contract), found.Add) { InnerHandler = new HttpClientHandler() };
        var client = new HttpClient(handler) { BaseAddress = shared.Server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
