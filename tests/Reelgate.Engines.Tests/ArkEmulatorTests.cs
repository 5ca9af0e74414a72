using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Reelgate.Emulators.ModelArk;
using Reelgate.Testing;

namespace Reelgate.Engines.Tests;

/// <summary>
/// The ModelArk emulator over real loopback HTTP, driven by a fake clock (the renders are real
/// ffmpeg runs, cached per class). Small everything: 480p, 4 s, 200 ms queue, 500 ms run.
/// </summary>
public sealed partial class ArkEmulatorTests(ArkRenderCacheFixture renders) : IClassFixture<ArkRenderCacheFixture>, IAsyncDisposable
{
    private const string Tasks = "api/v3/contents/generations/tasks";
    private const string Model = "doubao-seedance-2-0-260128";

    private static readonly TimeSpan Queue = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Run = TimeSpan.FromMilliseconds(500);

    private readonly List<IAsyncDisposable> _cleanup = [];
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private ArkEmulator _ark = null!;
    private HttpClient _http = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateTask_GoesQueuedRunningSucceeded_AndServesARealMp4()
    {
        await StartAsync();
        var id = await CreateAsync("a sunset over the ocean", extra: new JsonObject
        {
            ["content"] = new JsonArray(
                new JsonObject { ["type"] = "text", ["text"] = "a sunset over the ocean" },
                new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "https://example.invalid/first.png" }, ["role"] = "first_frame" }),
        });
        Assert.Matches("^cgt-20260501120000-[a-z0-9]{5}$", id);
        Assert.Equal("queued", (await GetAsync(id))["status"]!.GetValue<string>());

        _clock.Advance(Queue);
        Assert.Equal("running", (await GetAsync(id))["status"]!.GetValue<string>());

        _clock.Advance(Run);
        var done = await WaitForAsync(id, "succeeded");
        Assert.Equal(Model, (string)done["model"]!);
        Assert.Equal(("480p", "16:9", 4, 24, 7L, false), ((string)done["resolution"]!, (string)done["ratio"]!, (int)done["duration"]!, (int)done["framespersecond"]!, (long)done["seed"]!, (bool)done["generate_audio"]!));
        Assert.Equal(864L * 496 * 24 * 4 / 1024, (long)done["usage"]!["completion_tokens"]!);
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeSeconds(), (long)done["updated_at"]!);

        var video = await _http.GetByteArrayAsync((string)done["content"]!["video_url"]!, Ct);
        Assert.True(video.Length > 1000, $"{video.Length} bytes");
        Assert.Equal("ftyp", Encoding.ASCII.GetString(video, 4, 4));
        Assert.Equal(1, _ark.Stats.Downloads);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-key")]
    [InlineData("Basic ark-test-key")]
    public async Task Create_Answers401AuthenticationError_WhenKeyMissingOrWrong(string? authorization)
    {
        await StartAsync();
        using var anonymous = new HttpClient { BaseAddress = _ark.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, Tasks) { Content = JsonContent.Create(Body("a cat")) };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await anonymous.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["error"]!;
        Assert.Equal(("AuthenticationError", "Unauthorized", ""), ((string)error["code"]!, (string)error["type"]!, (string)error["param"]!));
        Assert.Empty(_ark.Tasks);
        Assert.Equal(1, _ark.Stats.CreatesRefused);
    }

    [Theory]
    [InlineData("""{"duration":3}""", "InvalidParameter", "duration")]
    [InlineData("""{"duration":5.5}""", "InvalidParameter", "duration")]
    [InlineData("""{"ratio":"2:1"}""", "InvalidParameter", "ratio")]
    [InlineData("""{"resolution":"4k"}""", "InvalidParameter", "resolution")]
    [InlineData("""{"seed":-2}""", "InvalidParameter", "seed")]
    [InlineData("""{"generate_audio":"yes"}""", "InvalidParameter", "generate_audio")]
    [InlineData("""{"watermark":1}""", "InvalidParameter", "watermark")]
    [InlineData("""{"tools":[{"type":"code"}]}""", "InvalidParameter", "tools[0].type")]
    [InlineData("""{"callback_url":"ftp://example.invalid/hook"}""", "InvalidParameter", "callback_url")]
    [InlineData("""{"content":[{"type":"video"}]}""", "InvalidParameter", "content[0].type")]
    [InlineData("""{"content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{}}]}""", "InvalidParameter", "content[1].image_url.url")]
    [InlineData("""{"content":[]}""", "InvalidParameter", "content")]
    [InlineData("""{"model":null}""", "MissingParameter", "model")]
    [InlineData("""{"content":[{"type":"text","text":"a [ark:explode]"}]}""", "InvalidParameter", "content[0].text")]
    public async Task Create_Answers400NamingTheParam_WhenAFieldIsInvalid(string overrides, string code, string param)
    {
        await StartAsync();
        var body = Body("a cat");
        foreach (var (name, value) in JsonNode.Parse(overrides)!.AsObject())
        {
            body[name] = value?.DeepClone();
        }

        var (status, json, _) = await PostAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal((code, param, "BadRequest"), ((string)json["error"]!["code"]!, (string)json["error"]!["param"]!, (string)json["error"]!["type"]!));
        Assert.Empty(_ark.Tasks);
    }

    [Fact]
    public async Task Create_Answers404_WhenModelUnknown_AndGetAnswers404_WhenTaskUnknown()
    {
        await StartAsync();
        var body = Body("a cat");
        body["model"] = "seedance-9-0";
        var (status, json, _) = await PostAsync(body);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("InvalidEndpointOrModel.NotFound", (string)json["error"]!["code"]!);

        var response = await _http.GetAsync($"{Tasks}/cgt-20260501120000-nope0", Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("ResourceNotFound", (string)(await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["error"]!["code"]!);
    }

    [Theory]
    [InlineData("[ark:fail=VideoGenerationFailed] a cat", "VideoGenerationFailed")]
    [InlineData("a cat [ark:reject]", "OutputVideoSensitiveContentDetected")]
    public async Task FailMarkers_RunThenFailWithTheCode(string prompt, string code)
    {
        await StartAsync();
        var id = await CreateAsync(prompt);
        _clock.Advance(Queue);
        Assert.Equal("running", (string)(await GetAsync(id))["status"]!);
        _clock.Advance(Run);
        var failed = await GetAsync(id);
        Assert.Equal("failed", (string)failed["status"]!);
        Assert.Equal(code, (string)failed["error"]!["code"]!);
        Assert.Null(failed["content"]);
        Assert.Null(failed["usage"]);
    }

    [Fact]
    public async Task RejectInputMarker_Answers400_AndMakesNoTask()
    {
        await StartAsync();
        var (status, json, _) = await PostAsync(Body("[ark:reject-input] a cat"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("InputTextSensitiveContentDetected", (string)json["error"]!["code"]!);
        Assert.Empty(_ark.Tasks);
    }

    [Fact]
    public async Task SlowMarker_KeepsTheTaskRunning_ForItsDuration()
    {
        await StartAsync();
        var id = await CreateAsync("a sunset over the ocean [ark:slow=5000]");
        _clock.Advance(Queue + Run);
        Assert.Equal("running", (string)(await GetAsync(id))["status"]!);
        _clock.Advance(TimeSpan.FromMilliseconds(4500));
        await WaitForAsync(id, "succeeded");
    }

    [Fact]
    public async Task Videos_Answer403Expired_AtOnceWithExpireMarker_AndAfter24HoursOtherwise()
    {
        await StartAsync();
        var expiring = await CreateAsync("[ark:expire] a sunset over the ocean");
        var normal = await CreateAsync("a sunset over the ocean");
        _clock.Advance(Queue + Run);
        var expiringUrl = (string)(await WaitForAsync(expiring, "succeeded"))["content"]!["video_url"]!;
        var normalUrl = (string)(await WaitForAsync(normal, "succeeded"))["content"]!["video_url"]!;

        await AssertExpiredAsync(expiringUrl);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(normalUrl, Ct)).StatusCode);
        _clock.Advance(TimeSpan.FromHours(24));
        await AssertExpiredAsync(normalUrl);
        Assert.Equal(1, _ark.Stats.Downloads);
    }

    [Fact]
    public async Task RateLimitAndServerErrorMarkers_RefuseTheFirstNCreatesOfThatPrompt()
    {
        await StartAsync();
        for (var i = 0; i < 2; i++)
        {
            var (status, json, headers) = await PostAsync(Body("[ark:429=2] a cat"));
            Assert.Equal(HttpStatusCode.TooManyRequests, status);
            Assert.Equal("RateLimitExceeded.EndpointRPMExceeded", (string)json["error"]!["code"]!);
            Assert.Equal(TimeSpan.FromSeconds(1), headers.RetryAfter?.Delta);
        }

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Body("[ark:429=2] a cat"))).Status);

        var (error500, body500, _) = await PostAsync(Body("[ark:500=1] a dog"));
        Assert.Equal((HttpStatusCode.InternalServerError, "InternalServiceError"), (error500, (string)body500["error"]!["code"]!));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Body("[ark:500=1] a dog"))).Status);
        Assert.Equal((2L, 3L), (_ark.Stats.CreatesAccepted, _ark.Stats.CreatesRefused));
    }

    [Fact]
    public async Task ExpiredMarker_ExpiresTheTaskWithoutRunning_AndHangMarker_RunsForever()
    {
        await StartAsync();
        var expired = await CreateAsync("[ark:expired] a cat");
        var hanging = await CreateAsync("[ark:hang] a cat");
        _clock.Advance(Queue);
        Assert.Equal("expired", (string)(await GetAsync(expired))["status"]!);
        _clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal("running", (string)(await GetAsync(hanging))["status"]!);
    }

    [Fact]
    public async Task Delete_CancelsAQueuedTask_RefusesARunningOne_AndDeletesAFinishedOne()
    {
        await StartAsync();
        var queued = await CreateAsync("a cat");
        var response = await _http.DeleteAsync($"{Tasks}/{queued}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("cancelled", (string)(await GetAsync(queued))["status"]!);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.DeleteAsync($"{Tasks}/{queued}", Ct)).StatusCode);

        var running = await CreateAsync("[ark:hang] a cat");
        var failed = await CreateAsync("[ark:fail=X] a cat");
        _clock.Advance(Queue);
        var refused = await _http.DeleteAsync($"{Tasks}/{running}", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("running", (string)(await GetAsync(running))["status"]!);

        _clock.Advance(Run);
        Assert.Equal(HttpStatusCode.OK, (await _http.DeleteAsync($"{Tasks}/{failed}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"{Tasks}/{failed}", Ct)).StatusCode);
        Assert.Equal(4, _ark.Stats.Deletes);
    }

    [Fact]
    public async Task List_FiltersByStatusIdsAndModel_NewestFirst_WithPages()
    {
        await StartAsync();
        var a = await CreateAsync("[ark:hang] a");
        var b = await CreateAsync("[ark:hang] b");
        _clock.Advance(Queue);
        var c = await CreateAsync("c", model: "dreamina-seedance-2-0-260128");

        var all = await ListAsync("");
        Assert.Equal(3, (int)all["total"]!);
        Assert.Equal([c, b, a], Ids(all));
        Assert.Equal(new[] { a, b }.Order(), Ids(await ListAsync("filter.status=running")).Order());
        Assert.Equal(c, Assert.Single(Ids(await ListAsync("filter.status=queued"))));
        Assert.Equal(new[] { a, c }.Order(), Ids(await ListAsync($"filter.task_ids={a}&filter.task_ids={c}")).Order());
        Assert.Equal(c, Assert.Single(Ids(await ListAsync("filter.model=dreamina-seedance-2-0-260128"))));
        var page2 = await ListAsync("page_num=2&page_size=1");
        Assert.Equal((3, b), ((int)page2["total"]!, Assert.Single(Ids(page2))));
        Assert.DoesNotContain(a, Ids(await ListAsync("filter.status=succeeded")));

        var bad = await _http.GetAsync($"{Tasks}?page_size=0", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("page_size", (string)(await bad.Content.ReadFromJsonAsync<JsonObject>(Ct))!["error"]!["param"]!);
    }

    [Fact]
    public async Task Stats_CountEveryKindOfRequest_AndResetClearsThem()
    {
        await StartAsync();
        var id = await CreateAsync("a cat");
        await PostAsync(Body("[ark:reject-input] a cat"));
        await GetAsync(id);
        await GetAsync(id);
        await _http.DeleteAsync($"{Tasks}/{id}", Ct);

        var stats = (await _http.GetFromJsonAsync<JsonObject>("_emulator/stats", Ct))!;
        Assert.Equal((1, 1, 2, 1, 0), ((int)stats["creates_accepted"]!, (int)stats["creates_refused"]!, (int)stats["polls"]!, (int)stats["deletes"]!, (int)stats["downloads"]!));

        await _http.PostAsync("_emulator/reset", null, Ct);
        Assert.Equal((0L, 0L), (_ark.Stats.CreatesAccepted, _ark.Stats.Polls));
        Assert.Empty(_ark.Tasks);
    }

    [Fact]
    public async Task ConfigKnobs_RefuseEveryNthCreate_AndResetRestoresThem()
    {
        await StartAsync();
        var set = await _http.PostAsJsonAsync("_emulator/config", new JsonObject { ["RateLimit429Every"] = 2, ["Fail500Every"] = 3 }, Ct);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(2, _ark.Options.RateLimit429Every);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await PostAsync(Body("a cat"))).Status);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError, HttpStatusCode.TooManyRequests], statuses);
        var bad = await _http.PostAsJsonAsync("_emulator/config", new JsonObject { ["QueueDelayMs"] = -1 }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        await _http.PostAsync("_emulator/reset", null, Ct);
        var config = (await _http.GetFromJsonAsync<JsonObject>("_emulator/config", Ct))!;
        Assert.Equal((0, 0, 200), ((int)config["RateLimit429Every"]!, (int)config["Fail500Every"]!, (int)config["QueueDelayMs"]!));
    }

    [Fact]
    public async Task DropConnectionAfterCreate_MakesTheTask_ButTheCallerNeverSeesItsId()
    {
        await StartAsync();
        _ark.Options.DropConnectionAfterCreate = 1;
        await Assert.ThrowsAsync<HttpRequestException>(() => PostAsync(Body("a cat")));
        var made = Assert.Single(_ark.Tasks);
        Assert.Equal(("queued", "a cat"), (made.Status, made.Prompt));

        var id = await CreateAsync("a cat");
        Assert.NotEqual(made.Id, id);

        // The same per prompt: [ark:drop=1] drops the first create of that exact prompt only.
        await Assert.ThrowsAsync<HttpRequestException>(() => PostAsync(Body("[ark:drop=1] a dog")));
        await CreateAsync("[ark:drop=1] a dog");
        Assert.Equal(4, _ark.Stats.CreatesAccepted);
        Assert.Equal(4, _ark.Tasks.Count);
    }

    [Fact]
    public async Task ParallelCreatesAndPolls_MakeOneTaskEach_WithDistinctIds()
    {
        await StartAsync();
        var ids = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => CreateAsync($"[ark:fail=E{i}] task {i}")));
        Assert.Equal(40, ids.Distinct().Count());
        _clock.Advance(Queue + Run);
        var polled = await Task.WhenAll(ids.Concat(ids).Select(GetAsync));
        Assert.All(polled, t => Assert.Equal("failed", (string)t["status"]!));
        Assert.Equal((40L, 80L), (_ark.Stats.CreatesAccepted, _ark.Stats.Polls));
    }

    [Fact]
    public async Task Callbacks_PostEveryStatusInOrder_RetryingAFailedDelivery()
    {
        await StartAsync();
        await using var catcher = await CallbackReceiver.StartAsync(500);
        var body = Body("[ark:fail=Boom] a cat");
        body["callback_url"] = catcher.Hook.AbsoluteUri;
        var id = (string)(await PostAsync(body)).Json["id"]!;

        var first = await catcher.NextAsync();
        Assert.Equal((500, id, "queued"), (first.Answered, (string)first.Json["id"]!, (string)first.Json["status"]!));
        var again = await catcher.NextAsync();
        Assert.Equal((200, id, "queued"), (again.Answered, (string)again.Json["id"]!, (string)again.Json["status"]!));
        _clock.Advance(Queue);
        Assert.Equal("running", (string)(await catcher.NextAsync()).Json["status"]!);
        _clock.Advance(Run);
        var failed = (await catcher.NextAsync()).Json;
        Assert.Equal(("failed", "Boom"), ((string)failed["status"]!, (string)failed["error"]!["code"]!));
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        foreach (var d in _cleanup)
        {
            await d.DisposeAsync();
        }
    }

    private async Task StartAsync()
    {
        _ark = await ArkEmulator.StartAsync(new ArkEmulatorOptions { QueueDelay = Queue, RunDuration = Run, RenderCacheDirectory = renders.Directory }, _clock, Ct);
        _cleanup.Add(_ark);
        _http = _ark.CreateClient();
    }

    private static JsonObject Body(string prompt, string model = Model) => new()
    {
        ["model"] = model,
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = prompt }),
        ["ratio"] = "16:9",
        ["resolution"] = "480p",
        ["duration"] = 4,
        ["seed"] = 7,
        ["generate_audio"] = false,
    };

    private async Task<string> CreateAsync(string prompt, string model = Model, JsonObject? extra = null)
    {
        var body = Body(prompt, model);
        foreach (var (name, value) in extra ?? [])
        {
            body[name] = value?.DeepClone();
        }

        var (status, json, _) = await PostAsync(body);
        Assert.True(status == HttpStatusCode.OK, json.ToJsonString());
        return (string)json["id"]!;
    }

    private async Task<(HttpStatusCode Status, JsonObject Json, System.Net.Http.Headers.HttpResponseHeaders Headers)> PostAsync(JsonObject body)
    {
        var response = await _http.PostAsJsonAsync(Tasks, body, Ct);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!, response.Headers);
    }

    private async Task<JsonObject> GetAsync(string id) => (await _http.GetFromJsonAsync<JsonObject>($"{Tasks}/{id}", Ct))!;

    private async Task<JsonObject> ListAsync(string query) => (await _http.GetFromJsonAsync<JsonObject>($"{Tasks}?{query}", Ct))!;

    private static IEnumerable<string> Ids(JsonObject list) => list["items"]!.AsArray().Select(i => (string)i!["id"]!);

    /// <summary>Polls until the status (the render runs on the real clock; the fake one has already passed the run time).</summary>
    private async Task<JsonObject> WaitForAsync(string id, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var task = await GetAsync(id);
            if ((string)task["status"]! == status)
            {
                return task;
            }

            Assert.True(DateTime.UtcNow < deadline && (string)task["status"]! == "running", $"waiting for {status}: {task.ToJsonString()}");
            await Task.Delay(50, Ct);
        }
    }

    private async Task AssertExpiredAsync(string url)
    {
        var response = await _http.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var xml = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<Code>AccessDenied</Code>", xml, StringComparison.Ordinal);
        Assert.Contains("Request has expired", xml, StringComparison.Ordinal);
    }
}
