using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>Every row of the spec's validation table and error list for createTask and recordInfo.</summary>
public sealed class ContractValidationTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private const string Model = "seedance-2.0-text-to-video";

    private async Task<HttpClient> ClientAsync(long credits = 1_000_000)
    {
        var (_, _, key) = await shared.Server.CreateAccountAsync(credits, "roomy");
        return shared.Server.NewClient(key);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("[1,2]")]
    [InlineData("\"string\"")]
    [InlineData("{\"input\":{\"prompt\":\"p\"}}")]
    [InlineData("{\"model\":5,\"input\":{\"prompt\":\"p\"}}")]
    [InlineData("{\"model\":null,\"input\":{\"prompt\":\"p\"}}")]
    [InlineData("{\"model\":\"seedance-2.0-text-to-video\"}")]
    [InlineData("{\"model\":\"seedance-2.0-text-to-video\",\"input\":\"prompt\"}")]
    [InlineData("{\"model\":\"seedance-2.0-text-to-video\",\"input\":[]}")]
    [InlineData("{\"model\":\"seedance-2.0-text-to-video\",\"model\":\"x\",\"input\":{\"prompt\":\"p\"}}")]
    [InlineData("{\"model\":\"seedance-2.0-text-to-video\",\"input\":{\"prompt\":\"p\",\"prompt\":\"q\"}}")]
    [InlineData("{\"model\":\"seedance-2.0-text-to-video\",\"input\":{\"prompt\":\"p\"}")]
    public async Task CreateTask_Returns400InvalidRequest_WhenBodyIsMalformed(string body)
    {
        using var client = await ClientAsync();
        var (status, json, _) = await client.PostRawAsync("/api/v1/jobs/createTask", body);
        JsonBody.AssertError(status, json, 400, "invalid request");
    }

    [Fact]
    public async Task CreateTask_Returns400_WhenBodyIsOverOneMebibyte()
    {
        using var client = await ClientAsync();
        var body = $$$"""{"model":"{{{Model}}}","input":{"prompt":"p","pad":"{{{new string('a', 1 << 20)}}}"}}""";
        var (status, json, _) = await client.PostRawAsync("/api/v1/jobs/createTask", body);
        JsonBody.AssertError(status, json, 400, "invalid request");
    }

    [Fact]
    public async Task CreateTask_Returns422ModelNotSupported_WhenModelIsUnknown()
    {
        using var client = await ClientAsync();
        var (status, json, _) = await client.CreateTaskAsync(new { prompt = "p" }, model: "seedance-2.0-TEXT-to-video");
        JsonBody.AssertError(status, json, 422, "model is not supported");
    }

    public static TheoryData<string, string> InvalidInputs => new()
    {
        { """{}""", "validation error: input.prompt is required" },
        { """{"prompt":null}""", "validation error: input.prompt is required" },
        { """{"prompt":"   "}""", "validation error: input.prompt must be a string of 1 to 20000 characters and not blank" },
        { """{"prompt":""}""", "validation error: input.prompt must be a string of 1 to 20000 characters and not blank" },
        { """{"prompt":42}""", "validation error: input.prompt must be a string of 1 to 20000 characters and not blank" },
        { """{"prompt":"p","ratio":"2:1"}""", "validation error: input.ratio must be one of 16:9, 9:16, 1:1, 4:3, 3:4, 21:9, adaptive" },
        { """{"prompt":"p","aspect_ratio":"5:4"}""", "validation error: input.aspect_ratio must be one of 16:9, 9:16, 1:1, 4:3, 3:4, 21:9, adaptive" },
        { """{"prompt":"p","resolution":"4k"}""", "validation error: input.resolution must be one of 480p, 720p, 1080p" },
        { """{"prompt":"p","resolution":"720P"}""", "validation error: input.resolution must be one of 480p, 720p, 1080p" },
        { """{"prompt":"p","duration":3}""", "validation error: input.duration must be a whole number from 4 to 15" },
        { """{"prompt":"p","duration":16}""", "validation error: input.duration must be a whole number from 4 to 15" },
        { """{"prompt":"p","duration":5.5}""", "validation error: input.duration must be a whole number from 4 to 15" },
        { """{"prompt":"p","duration":"5"}""", "validation error: input.duration must be a whole number from 4 to 15" },
        { """{"prompt":"p","generate_audio":"yes"}""", "validation error: input.generate_audio must be true or false" },
        { """{"prompt":"p","web_search":1}""", "validation error: input.web_search must be true or false" },
        { """{"prompt":"p","nsfw_checker":"false"}""", "validation error: input.nsfw_checker must be true or false" },
        { """{"prompt":"p","seed":1.5}""", "validation error: input.seed must be an integer from -1 to 4294967295" },
        { """{"prompt":"p","seed":-2}""", "validation error: input.seed must be an integer from -1 to 4294967295" },
        { """{"prompt":"p","seed":4294967296}""", "validation error: input.seed must be an integer from -1 to 4294967295" },
    };

    [Theory]
    [MemberData(nameof(InvalidInputs))]
    public async Task CreateTask_Returns422NamingFieldAndRule_WhenInputBreaksARule(string input, string message)
    {
        using var client = await ClientAsync();
        var before = await client.CreditsAsync();
        var (status, json, _) = await client.PostRawAsync("/api/v1/jobs/createTask", $$"""{"model":"{{Model}}","input":{{input}}}""");
        JsonBody.AssertError(status, json, 422, message);
        Assert.Equal(before, await client.CreditsAsync());
    }

    [Theory]
    [InlineData("""{"prompt":"p","duration":5}""", 200)]
    [InlineData("""{"prompt":"p","duration":5.0}""", 200)]
    [InlineData("""{"prompt":"p","duration":4}""", 160)]
    [InlineData("""{"prompt":"p","duration":15,"resolution":"1080p"}""", 1200)]
    [InlineData("""{"prompt":"p","seed":-1}""", 200)]
    [InlineData("""{"prompt":"p","seed":4294967295}""", 200)]
    [InlineData("""{"prompt":"p","ratio":"16:9","aspect_ratio":"not even valid"}""", 200)]
    [InlineData("""{"prompt":"p","ratio":null}""", 200)]
    public async Task CreateTask_AcceptsAndPrices_WhenInputIsValid(string input, long cost)
    {
        using var client = await ClientAsync();
        var before = await client.CreditsAsync();
        var (status, json, _) = await client.PostRawAsync("/api/v1/jobs/createTask", $$"""{"model":"{{Model}}","input":{{input}}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var data = await client.RecordInfoAsync((string)json["data"]!["taskId"]!);
        Assert.Equal(cost, (long)data["creditsConsumed"]!);
        Assert.Equal(before - cost, await client.CreditsAsync());
    }

    [Fact]
    public async Task CreateTask_AcceptsTwentyThousandCharacters_AndRefusesOneMore()
    {
        using var client = await ClientAsync();
        var plain = new string('a', 20000);
        var emoji = string.Concat(Enumerable.Repeat("😀", 20000));
        Assert.Equal(HttpStatusCode.OK, (await client.CreateTaskAsync(new { prompt = plain })).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.CreateTaskAsync(new { prompt = emoji })).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.CreateTaskAsync(new { prompt = "   " + plain + "\n" })).Status);
        var (status, json, _) = await client.CreateTaskAsync(new { prompt = plain + "a" });
        JsonBody.AssertError(status, json, 422, "validation error: input.prompt must be a string of 1 to 20000 characters and not blank");
        (status, json, _) = await client.CreateTaskAsync(new { prompt = emoji + "😀" });
        JsonBody.AssertError(status, json, 422, "validation error: input.prompt must be a string of 1 to 20000 characters and not blank");
    }

    [Fact]
    public async Task CreateTask_KeepsOriginalRequestInParam_IncludingUnknownFields()
    {
        using var client = await ClientAsync();
        const string input = """{"prompt":"kept as sent","resolution":"480p","duration":4,"camera":{"lens":"35mm"},"future_flag":true}""";
        var (status, json, _) = await client.PostRawAsync("/api/v1/jobs/createTask", $$"""{ "model" : "{{Model}}", "input" : {{input}}, "callBackUrl": "https://example.com/hook" }""");
        Assert.Equal(HttpStatusCode.OK, status);
        var data = await client.RecordInfoAsync((string)json["data"]!["taskId"]!);
        var param = JsonNode.Parse((string)data["param"]!)!.AsObject();
        Assert.Equal(Model, (string)param["model"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(input), param["input"]));
        Assert.Equal("https://example.com/hook", (string)param["callBackUrl"]!);
        Assert.Equal(["model", "input", "callBackUrl"], param.Select(p => p.Key));
    }

    [Fact]
    public async Task RecordInfo_HasEveryContractFieldWithItsType_WhileWaiting()
    {
        using var client = await ClientAsync();
        var (_, json, _) = await client.CreateTaskAsync(new { prompt = "fields" });
        var taskId = (string)json["data"]!["taskId"]!;
        var (status, body, _) = await client.GetJsonAsync("/api/v1/jobs/recordInfo?taskId=" + taskId);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(200, (int)body["code"]!);
        Assert.Equal("success", (string)body["msg"]!);
        var data = body["data"]!.AsObject();
        Assert.Equal(
            ["taskId", "model", "state", "param", "resultJson", "failCode", "failMsg", "costTime", "completeTime", "createTime"],
            data.Select(p => p.Key).Take(10));
        Assert.Equal(taskId, (string)data["taskId"]!);
        Assert.Equal(Model, (string)data["model"]!);
        Assert.Equal("waiting", (string)data["state"]!);
        Assert.Equal(JsonValueKind.String, data["param"]!.GetValueKind());
        foreach (var nullField in new[] { "resultJson", "failCode", "failMsg", "costTime", "completeTime" })
        {
            Assert.True(data.ContainsKey(nullField) && data[nullField] is null, nullField);
        }

        Assert.Equal(JsonValueKind.Number, data["createTime"]!.GetValueKind());
        Assert.InRange((long)data["createTime"]!, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());
        Assert.InRange((long)data["seed"]!, 0, uint.MaxValue);
    }

    [Theory]
    [InlineData("", 400, "invalid request")]
    [InlineData("?taskId=", 400, "invalid request")]
    [InlineData("?taskId=a&taskId=b", 400, "invalid request")]
    [InlineData("?taskId=task_doesnotexist", 404, "task not found")]
    [InlineData("?taskId=../../etc/passwd", 404, "task not found")]
    public async Task RecordInfo_AnswersInEnvelope_WhenTaskIdIsMissingOrUnknown(string query, int code, string msg)
    {
        using var client = await ClientAsync();
        var (status, json, _) = await client.GetJsonAsync("/api/v1/jobs/recordInfo" + query);
        JsonBody.AssertError(status, json, code, msg);
    }

    [Fact]
    public async Task CreateTask_ChecksInSpecOrder_BodyBeforeIdempotencyBeforeActiveLimitBeforeCredits()
    {
        // Body (422) before credits (402): a broke account with a bad body gets 422.
        using var broke = await ClientAsync(credits: 0);
        var (status, json, _) = await broke.CreateTaskAsync(new { prompt = "p", duration = 99 });
        JsonBody.AssertError(status, json, 422, "validation error: input.duration must be a whole number from 4 to 15");

        // Active limit (409) before credits (402): a key allowed 1 active task, with one waiting and no credits left.
        var (_, _, freeKey) = await shared.Server.CreateAccountAsync(200, "single");
        using var free = shared.Server.NewClient(freeKey);
        var (first, firstBody, _) = await free.CreateTaskAsync(new { prompt = "p" }, requestId: "order-1");
        Assert.Equal(HttpStatusCode.OK, first);
        (status, json, _) = await free.CreateTaskAsync(new { prompt = "second" });
        JsonBody.AssertError(status, json, 409, "active task limit exceeded");

        // Idempotency before the active limit and credits: the replay gets the same task.
        var (replay, replayBody, _) = await free.CreateTaskAsync(new { prompt = "p" }, requestId: "order-1");
        Assert.Equal(HttpStatusCode.OK, replay);
        Assert.Equal((string)firstBody["data"]!["taskId"]!, (string)replayBody["data"]!["taskId"]!);
        Assert.Equal(0, await free.CreditsAsync());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=latin1")]
    public async Task CreateTask_Returns400_WhenContentTypeIsNotJson(string contentType)
    {
        using var client = await ClientAsync();
        var (status, json, _) = await client.PostRawAsync("/api/v1/jobs/createTask", $$$"""{"model":"{{{Model}}}","input":{"prompt":"p"}}""", contentType: contentType);
        JsonBody.AssertError(status, json, 400, "invalid request");
    }

    [Theory]
    [InlineData("ftp://example.com/x")]
    [InlineData("/relative")]
    [InlineData("")]
    public async Task CreateTask_Returns422_WhenCallBackUrlIsNotAbsoluteHttp(string url)
    {
        using var client = await ClientAsync();
        var (status, json, _) = await client.PostRawAsync("/api/v1/jobs/createTask", JsonSerializer.Serialize(new { model = Model, input = new { prompt = "p" }, callBackUrl = url }));
        JsonBody.AssertError(status, json, 422, "validation error: callBackUrl must be an absolute http or https URL of at most 2048 characters");
    }

    [Fact]
    public async Task CreateTask_Returns400_WhenRequestIdIsTooLong()
    {
        using var client = await ClientAsync();
        var (status, json, _) = await client.CreateTaskAsync(new { prompt = "p" }, requestId: new string('x', 129));
        JsonBody.AssertError(status, json, 400, "invalid request");
    }
}
