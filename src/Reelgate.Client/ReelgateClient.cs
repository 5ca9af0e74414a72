using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Http.Resilience;

namespace Reelgate.Client;

/// <summary>
/// A typed client of the jobs API (<c>createTask</c>, <c>recordInfo</c>, credits, list, cancel,
/// models, events) for Reelgate and any platform that shares the API. Every error envelope
/// becomes a <see cref="ReelgateApiException"/> carrying its code and msg.
/// </summary>
/// <example>
/// <code>
/// using var client = ReelgateClient.Create(new ReelgateClientOptions { BaseUrl = new("http://127.0.0.1:8080"), ApiKey = key });
/// var task = await client.GenerateAsync(new SeedanceTextToVideoInput { Prompt = "a lighthouse at dawn" });
/// await client.DownloadAsync(task, "out.mp4");
/// </code>
/// </example>
public sealed partial class ReelgateClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ReelgateClientOptions _options;
    private readonly bool _ownsHttp;
    private readonly string _base;
    private volatile bool _noEventStream;

    /// <summary>Wraps an <see cref="HttpClient"/> that already has the retry handler (as <c>AddReelgateClient</c> builds it).</summary>
    /// <param name="http">The HTTP client; its base address is not used.</param>
    /// <param name="options">Base URL, API key and retry settings.</param>
    public ReelgateClient(HttpClient http, ReelgateClientOptions options)
        : this(http, options, ownsHttp: false)
    {
    }

    private ReelgateClient(HttpClient http, ReelgateClientOptions options, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options;
        _ownsHttp = ownsHttp;
        _base = options.BaseUrl.ToString().TrimEnd('/');
    }

    /// <summary>Creates a client with its own <see cref="HttpClient"/> and the Reelgate retry rules (no DI needed).</summary>
    /// <param name="options">Base URL, API key and retry settings.</param>
    public static ReelgateClient Create(ReelgateClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
#pragma warning disable CA2000 // the handlers are owned by the HttpClient, which the client disposes
        var handler = new ResilienceHandler(ReelgateResilience.Build(options)) { InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) } };
        return new ReelgateClient(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }, options, ownsHttp: true);
#pragma warning restore CA2000
    }

    /// <summary>The settings this client uses.</summary>
    public ReelgateClientOptions Options => _options;

    /// <summary>Creates a <c>seedance-2.0-text-to-video</c> task; returns its id. The account is charged at once.</summary>
    /// <param name="input">The typed input.</param>
    /// <param name="options">Callback URL and idempotency key.</param>
    /// <param name="ct">Cancels the call (the task may still have been created; retry with the same RequestId to find out).</param>
    public Task<string> CreateTaskAsync(SeedanceTextToVideoInput input, CreateTaskOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return CreateTaskAsync(SeedanceTextToVideoInput.ModelId, input.ToJson(), options, ct);
    }

    /// <summary>Creates a task of any model with a raw JSON input (the escape hatch); returns its id.</summary>
    /// <param name="model">The model id.</param>
    /// <param name="input">The model's input object as sent on the wire.</param>
    /// <param name="options">Callback URL and idempotency key.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<string> CreateTaskAsync(string model, JsonObject input, CreateTaskOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentNullException.ThrowIfNull(input);
        var body = new JsonObject { ["model"] = model, ["input"] = input.DeepClone() };
        if (options?.CallBackUrl is { } cb)
        {
            body["callBackUrl"] = cb;
        }

        // Always an idempotency key: a retry after a lost answer finds the committed task.
        var requestId = options?.RequestId ?? "rg-" + Guid.NewGuid().ToString("N");
        var data = await SendAsync(HttpMethod.Post, "/api/v1/jobs/createTask", body, requestId, ct);
        return data.GetProperty("taskId").GetString() ?? throw Unexpected("createTask returned no taskId");
    }

    /// <summary>Reads a task (<c>recordInfo</c>).</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<TaskInfo> GetTaskAsync(string taskId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        var data = await SendAsync(HttpMethod.Get, "/api/v1/jobs/recordInfo?taskId=" + Uri.EscapeDataString(taskId), null, null, ct);
        return data.Deserialize(ClientJsonContext.Default.TaskInfo) ?? throw Unexpected("recordInfo returned no data");
    }

    /// <summary>Creates a task and waits until it ends; throws <see cref="ReelgateTaskFailedException"/> if it fails.</summary>
    /// <param name="input">The typed input.</param>
    /// <param name="progress">Receives state and percent while the task runs.</param>
    /// <param name="ct">Stops waiting (the task keeps running; cancel it with <see cref="CancelTaskAsync"/>).</param>
    public async Task<TaskInfo> GenerateAsync(SeedanceTextToVideoInput input, IProgress<TaskProgress>? progress = null, CancellationToken ct = default)
    {
        var id = await CreateTaskAsync(input, null, ct);
        return (await WaitAsync(id, progress, ct)).EnsureSucceeded();
    }

    /// <summary>
    /// Waits until the task is <c>success</c> or <c>fail</c> and returns it. Uses the server-sent
    /// event stream where the server has one (<c>/api/v1/jobs/events?taskId=</c>), else polls
    /// <c>recordInfo</c> from <see cref="ReelgateClientOptions.PollInterval"/>, growing by half up to
    /// <see cref="ReelgateClientOptions.MaxPollInterval"/>. A dropped stream is reopened; after
    /// three drops the wait goes on by polling.
    /// </summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="progress">Receives state and percent on every change, and the place in the queue while the task is queued (Reelgate).</param>
    /// <param name="ct">Stops waiting.</param>
    public async Task<TaskInfo> WaitAsync(string taskId, IProgress<TaskProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        var drops = 0;
        while (_options.UseEventStream && !_noEventStream && drops < 3)
        {
            try
            {
                var ended = await StreamUntilEndAsync(taskId, progress, ct);
                if (ended)
                {
                    return await GetTaskAsync(taskId, ct);
                }

                drops++;
            }
            catch (Exception e) when (e is HttpRequestException or IOException && !ct.IsCancellationRequested)
            {
                drops++;
            }
        }

        var interval = _options.PollInterval;
        while (true)
        {
            var task = await GetTaskAsync(taskId, ct);
            progress?.Report(new TaskProgress(task.TaskId, task.State, task.Progress ?? (task.IsFinished ? 100 : 0)) { QueuePosition = task.QueuePosition, EtaSeconds = task.EtaSeconds });
            if (task.IsFinished)
            {
                return task;
            }

            await Task.Delay(interval, ct);
            interval = TimeSpan.FromTicks(Math.Min(_options.MaxPollInterval.Ticks, (long)(interval.Ticks * 1.5)));
        }
    }

    /// <summary>Reads the task's event stream; true when it announced the end, false when it closed early.</summary>
    private async Task<bool> StreamUntilEndAsync(string taskId, IProgress<TaskProgress>? progress, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Get, "/api/v1/jobs/events?taskId=" + Uri.EscapeDataString(taskId));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests)
            {
                await ThrowEnvelopeAsync(response, ct);
            }

            // No event stream here (another platform of the family) or no such task: recordInfo
            // by polling answers both (a missing task throws there).
            _noEventStream = response.StatusCode != HttpStatusCode.NotFound || await IsRouteMissingAsync(taskId, ct);
            if (!_noEventStream)
            {
                await GetTaskAsync(taskId, ct); // throws ReelgateNotFoundException
            }

            return false;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line.AsMemory(5));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("state", out var stateElement))
            {
                continue;
            }

            var state = stateElement.GetString() ?? TaskStates.Waiting;
            var pct = root.TryGetProperty("progress", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : 0;
            progress?.Report(new TaskProgress(taskId, state, pct)
            {
                QueuePosition = root.TryGetProperty("queuePosition", out var q) && q.ValueKind == JsonValueKind.Number ? q.GetInt32() : null,
                EtaSeconds = root.TryGetProperty("etaSeconds", out var eta) && eta.ValueKind == JsonValueKind.Number ? eta.GetDouble() : null,
            });
            if (state != TaskStates.Waiting)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A 404 from the events path: is the route missing (true) or the task (false)?</summary>
    private async Task<bool> IsRouteMissingAsync(string taskId, CancellationToken ct)
    {
        try
        {
            await GetTaskAsync(taskId, ct);
            return true;
        }
        catch (ReelgateNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Downloads the task's first result URL to <paramref name="path"/>; see the URL overload.</summary>
    /// <param name="task">A succeeded task.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="progress">Receives bytes written and the total.</param>
    /// <param name="ct">Stops the download (the partial file is kept for a resume).</param>
    public Task<string> DownloadAsync(TaskInfo task, string path, IProgress<DownloadProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var url = task.EnsureSucceeded().ResultUrls.FirstOrDefault() ?? throw Unexpected($"task {task.TaskId} has no result URL");
        return DownloadAsync(url, path, progress, ct);
    }

    /// <summary>
    /// Downloads a result URL (signed; no API key is sent with it) to <paramref name="path"/>.
    /// Bytes go to <c>path.part</c> first; an existing part is resumed with a <c>Range</c> request
    /// (a server that ignores Range sends the whole file, which then replaces the part), and a
    /// connection lost mid-file is resumed the same way up to three times. The part is renamed to
    /// <paramref name="path"/> when complete. Returns the full path.
    /// </summary>
    /// <param name="url">The absolute result URL.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="progress">Receives bytes written and the total.</param>
    /// <param name="ct">Stops the download (the partial file is kept for a resume).</param>
    public async Task<string> DownloadAsync(string url, string path, IProgress<DownloadProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var part = full + ".part";
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await DownloadOnceAsync(new Uri(url), part, progress, ct);
                File.Move(part, full, overwrite: true);
                return full;
            }
            catch (Exception e) when (e is HttpRequestException or IOException && attempt < 3 && !ct.IsCancellationRequested)
            {
                // Resume from what reached the disk.
            }
        }
    }

    private async Task DownloadOnceAsync(Uri url, string part, IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        var have = File.Exists(part) ? new FileInfo(part).Length : 0;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (have > 0)
        {
            request.Headers.Range = new RangeHeaderValue(have, null);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            File.Delete(part); // the part is not a prefix of this file: start over
            throw new IOException("range not satisfiable; restarting the download");
        }

        if (!response.IsSuccessStatusCode)
        {
            await ThrowEnvelopeAsync(response, ct);
        }

        var resumed = response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From == have;
        long? total = resumed ? response.Content.Headers.ContentRange!.Length : response.Content.Headers.ContentLength;
        var written = resumed ? have : 0;
        await using var file = new FileStream(part, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[81920];
        int read;
        progress?.Report(new DownloadProgress(written, total));
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            await file.WriteAsync(buffer.AsMemory(0, read), ct);
            written += read;
            progress?.Report(new DownloadProgress(written, total));
        }

        await file.FlushAsync(ct);
        if (total is { } t && written != t)
        {
            throw new IOException($"download ended at {written} of {t} bytes");
        }
    }

    /// <summary>The account's credit balance (<c>/api/v1/chat/credit</c>).</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task<long> GetCreditsAsync(CancellationToken ct = default)
    {
        var data = await SendAsync(HttpMethod.Get, "/api/v1/chat/credit", null, null, ct);
        return data.ValueKind == JsonValueKind.Number ? data.GetInt64() : throw Unexpected("chat/credit returned no number");
    }

    /// <summary>A page of the account's tasks, newest first (<c>/api/v1/jobs/list</c>).</summary>
    /// <param name="state">Only tasks in this state.</param>
    /// <param name="model">Only tasks of this model.</param>
    /// <param name="limit">Page size (the server's default when null).</param>
    /// <param name="cursor">The previous page's <see cref="TaskPage.NextCursor"/>.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<TaskPage> ListTasksAsync(string? state = null, string? model = null, int? limit = null, string? cursor = null, CancellationToken ct = default)
    {
        var query = new List<string>();
        if (state is not null)
        {
            query.Add("state=" + Uri.EscapeDataString(state));
        }

        if (model is not null)
        {
            query.Add("model=" + Uri.EscapeDataString(model));
        }

        if (limit is not null)
        {
            query.Add("limit=" + limit.Value.ToString(CultureInfo.InvariantCulture));
        }

        if (cursor is not null)
        {
            query.Add("cursor=" + Uri.EscapeDataString(cursor));
        }

        var data = await SendAsync(HttpMethod.Get, "/api/v1/jobs/list" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), null, null, ct);
        return data.Deserialize(ClientJsonContext.Default.TaskPage) ?? throw Unexpected("list returned no data");
    }

    /// <summary>Cancels a waiting task (it fails with <c>cancelled</c> and is refunded); 409 if it already ended.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task CancelTaskAsync(string taskId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        await SendAsync(HttpMethod.Post, "/api/v1/jobs/cancel", new JsonObject { ["taskId"] = taskId }, null, ct);
    }

    /// <summary>The platform's models with their inputs and prices (<c>/api/v1/models</c>), as JSON.</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task<JsonArray> ListModelsAsync(CancellationToken ct = default)
    {
        var data = await SendAsync(HttpMethod.Get, "/api/v1/models", null, null, ct);
        return JsonNode.Parse(data.GetRawText()) as JsonArray ?? throw Unexpected("models returned no list");
    }

    /// <summary>Sends an API call and returns the envelope's <c>data</c>; throws for any error envelope.</summary>
    internal Task<JsonElement> SendAsync(HttpMethod method, string pathAndQuery, JsonObject? body, string? requestId, CancellationToken ct) =>
        SendContentAsync(method, pathAndQuery, body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), requestId, ct);

    /// <summary>Sends a call with any body (the request disposes it) and returns the envelope's <c>data</c>.</summary>
    private async Task<JsonElement> SendContentAsync(HttpMethod method, string pathAndQuery, HttpContent? content, string? requestId, CancellationToken ct)
    {
        using var request = Request(method, pathAndQuery);
        request.Content = content;

        if (requestId is not null)
        {
            request.Headers.Add(ReelgateResilience.RequestIdHeader, requestId);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        var (code, msg, data) = ParseEnvelope(text, response.StatusCode);
        if (code != 200)
        {
            throw ReelgateApiException.For(code, msg, ReelgateResilience.RetryAfter(response));
        }

        return data;
    }

    private HttpRequestMessage Request(HttpMethod method, string pathAndQuery)
    {
        var request = new HttpRequestMessage(method, new Uri(_base + pathAndQuery));
        if (_options.ApiKey is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    private static async Task ThrowEnvelopeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        var (code, msg, _) = ParseEnvelope(text, response.StatusCode);
        throw ReelgateApiException.For(code == 200 ? (int)response.StatusCode : code, msg, ReelgateResilience.RetryAfter(response));
    }

    /// <summary>
    /// The envelope's code, msg and data. Some platforms of the family answer HTTP 200 with an
    /// error code in the body, so the body's code decides; a body that is not an envelope gives
    /// the HTTP status and a short excerpt.
    /// </summary>
    private static (int Code, string Msg, JsonElement Data) ParseEnvelope(string text, HttpStatusCode status)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number)
            {
                var msg = root.TryGetProperty("msg", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
                var data = root.TryGetProperty("data", out var d) ? d.Clone() : default;
                return (c.GetInt32(), msg, data);
            }
        }
        catch (JsonException)
        {
            // Not JSON: reported below.
        }

        var excerpt = text.Length > 200 ? text[..200] : text;
        var code = status == HttpStatusCode.OK ? 500 : (int)status;
        return (code, $"unexpected response (HTTP {(int)status}): {excerpt}".TrimEnd(' ', ':'), default);
    }

    private static ReelgateApiException Unexpected(string what) => new(500, what);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
