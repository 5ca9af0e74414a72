using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Core.Tasks;
using Reelgate.Engines.Ffmpeg;

namespace Reelgate.Engines.Upstream;

/// <summary>
/// What every engine that generates on an upstream provider shares: the create-then-poll life
/// cycle with the upstream id journaled the moment it is known, a resumed upstream task after a
/// crash instead of a second one, creates retried on 429/5xx with backoff (honouring
/// Retry-After), polls that start soon and back off with jitter, the result downloaded at once
/// into the job's output (upstream URLs expire), and a poster cut from it with ffmpeg.
/// The upstream key is sent only to the upstream's API, never to a result URL, and never logged.
/// </summary>
public abstract partial class UpstreamEngine : IUpstreamEngine
{
    /// <summary>The <see cref="IHttpClientFactory"/> client for the upstream's API (the server registers it without loggers).</summary>
    public const string ApiClientName = "reelgate-upstream-api";

    /// <summary>The client for result downloads: a different host (often a CDN) that never sees the key.</summary>
    public const string DownloadClientName = "reelgate-upstream-download";

    private static readonly FfmpegRun PosterRun = new() { Timeout = TimeSpan.FromSeconds(30) };

    private readonly IHttpClientFactory _http;
    private readonly ILogger _log;

    protected UpstreamEngine(UpstreamEngineSettings settings, TimeProvider time, ILogger log, IHttpClientFactory http, UpstreamWakeups? wakeups = null)
    {
        Settings = settings;
        Wakeups = wakeups;
        Time = time;
        _log = log;
        _http = http;
    }

    public string Name => Settings.Name;

    protected UpstreamEngineSettings Settings { get; }

    /// <summary>Early wake-ups from upstream callbacks (null: polling only).</summary>
    protected UpstreamWakeups? Wakeups { get; }

    protected TimeProvider Time { get; }

    /// <summary>
    /// A client for the upstream's API: its base address, this engine's request timeout and the
    /// bearer key. A fresh one per request, as <see cref="IHttpClientFactory"/> intends: the
    /// factory pools and renews the handlers underneath (DNS changes are followed), and such a
    /// client needs no disposing.
    /// </summary>
    protected HttpClient ApiClient()
    {
        var api = _http.CreateClient(ApiClientName);
        api.BaseAddress = Settings.BaseUrl;
        api.Timeout = Settings.RequestTimeout;
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Settings.ApiKey);
        return api;
    }

    /// <summary>A client for the result download: no key, and no timeout of its own (a video may be large; the engine timeout bounds the task).</summary>
    private HttpClient DownloadClient()
    {
        var download = _http.CreateClient(DownloadClientName);
        download.Timeout = Timeout.InfiniteTimeSpan;
        return download;
    }

    public EngineHealth CheckHealth() => new(true, $"upstream {Settings.BaseUrl.GetLeftPart(UriPartial.Authority)}, model {Settings.Model} (reachability is checked per task)");

    public async Task<EngineResult> GenerateAsync(EngineJob job, IProgress<int> progress, CancellationToken ct)
    {
        progress.Report(1);
        string upstreamId;
        if (job.Journal?.PreviousUpstreamId is { } previous)
        {
            // An earlier claim created it: resume, never create a second one.
            upstreamId = previous;
            LogResumed(Name, job.TaskId, upstreamId);
        }
        else
        {
            var found = job.Journal?.UnconfirmedCreateSince is { } since ? await FindCreatedAsync(job, since, ct) : null;
            if (found is not null)
            {
                LogAdopted(Name, job.TaskId, found);
                await job.Journal!.RecordUpstreamIdAsync(found, ct);
                upstreamId = found;
            }
            else
            {
                var (id, failure) = await CreateWithRetriesAsync(job, ct);
                if (failure is not null)
                {
                    return failure;
                }

                upstreamId = id!;
            }
        }

        return await PollAsync(job, upstreamId, progress, ct);
    }

    public abstract Task CancelUpstreamAsync(string upstreamId, CancellationToken ct);

    /// <summary>Sends one create. Id on success; else the HTTP status, the upstream's error code and message.</summary>
    protected abstract Task<CreateAnswer> SendCreateAsync(EngineJob job, CancellationToken ct);

    /// <summary>
    /// After a create whose answer was lost (a crash, a cut connection, a 5xx): the upstream task
    /// this job made since <paramref name="sinceUnixMs"/>, if the upstream has one.
    /// </summary>
    protected abstract Task<string?> FindCreatedAsync(EngineJob job, long sinceUnixMs, CancellationToken ct);

    /// <summary>Reads the upstream task's state once.</summary>
    protected abstract Task<PollAnswer> SendPollAsync(string upstreamId, CancellationToken ct);

    private async Task<(string? Id, EngineResult? Failure)> CreateWithRetriesAsync(EngineJob job, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        string last = "";
        for (var attempt = 1; attempt <= Settings.CreateTries; attempt++)
        {
            var since = Time.GetUtcNow().ToUnixTimeMilliseconds();
            CreateAnswer answer;
            try
            {
                answer = await SendCreateAsync(job, ct);
            }
            catch (Exception e) when (Unanswered(e, ct))
            {
                // The request may have reached the upstream: look before creating again.
                answer = new CreateAnswer(null, 0, "connection", e.GetType().Name, null);
            }

            if (answer.Id is { } id)
            {
                // Durable before anything else: a crash from here on resumes this upstream task.
                await (job.Journal?.RecordUpstreamIdAsync(id, ct) ?? Task.CompletedTask);
                LogCreated(Name, job.TaskId, id, attempt);
                return (id, null);
            }

            last = Describe(answer.Status, answer.Code, answer.Message);
            var ambiguous = answer.Status == 0 || answer.Status >= 500;
            var retryable = ambiguous || answer.Status == 429;
            if (!retryable)
            {
                return (null, MapCreateRefusal(answer));
            }

            if (ambiguous && await FindCreatedSafeAsync(job, since - 5_000, ct) is { } created)
            {
                await (job.Journal?.RecordUpstreamIdAsync(created, ct) ?? Task.CompletedTask);
                LogAdopted(Name, job.TaskId, created);
                return (created, null);
            }

            LogCreateRetry(Name, job.TaskId, attempt, answer.Status, answer.Code ?? "");
            if (attempt < Settings.CreateTries)
            {
                var wait = answer.RetryAfter is { } ra && ra > TimeSpan.Zero ? Min(ra, TimeSpan.FromSeconds(60)) : Jitter(delay);
                await Task.Delay(wait, Time, ct);
                delay = Min(delay * 2, TimeSpan.FromSeconds(20));
            }
        }

        return (null, EngineResult.FailoverFailure(FailCodes.UpstreamError, $"upstream {Name} did not take the task after {Settings.CreateTries} tries ({last}); the cost was refunded"));
    }

    private async Task<string?> FindCreatedSafeAsync(EngineJob job, long since, CancellationToken ct)
    {
        try
        {
            return await FindCreatedAsync(job, since, ct);
        }
        catch (Exception e) when (Unanswered(e, ct))
        {
            return null;
        }
    }

    private async Task<EngineResult> PollAsync(EngineJob job, string upstreamId, IProgress<int> progress, CancellationToken ct)
    {
        try
        {
            return await PollLoopAsync(job, upstreamId, progress, ct);
        }
        finally
        {
            Wakeups?.Forget(upstreamId);
        }
    }

    /// <summary>Waits for the next poll: the jittered backoff, or less when the upstream calls back.</summary>
    private async Task WaitForPollAsync(string upstreamId, TimeSpan delay, CancellationToken ct)
    {
        if (Wakeups is null)
        {
            await Task.Delay(Jitter(delay), Time, ct);
            return;
        }

        using var early = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sleep = Task.Delay(Jitter(delay), Time, early.Token);
        if (await Task.WhenAny(sleep, Wakeups.WaitAsync(upstreamId)) != sleep)
        {
            await early.CancelAsync();
            Wakeups.Consume(upstreamId);
            LogWoken(Name, upstreamId);
        }

        ct.ThrowIfCancellationRequested();
    }

    private async Task<EngineResult> PollLoopAsync(EngineJob job, string upstreamId, IProgress<int> progress, CancellationToken ct)
    {
        var delay = Settings.PollInitial;
        var started = Time.GetTimestamp();
        var errors = 0;
        while (true)
        {
            await WaitForPollAsync(upstreamId, delay, ct);
            delay = Min(delay * 1.6, Settings.PollMax);
            PollAnswer answer;
            try
            {
                answer = await SendPollAsync(upstreamId, ct);
            }
            catch (Exception e) when (Unanswered(e, ct))
            {
                answer = new PollAnswer(PollState.Unreachable, null, null, null, null, e.GetType().Name);
            }

            if (answer.Usage is { } usage)
            {
                job.Journal?.RecordUsage(usage);
            }

            switch (answer.State)
            {
                case PollState.Unreachable:
                    if (++errors >= 20)
                    {
                        return EngineResult.FailoverFailure(FailCodes.UpstreamError, $"upstream {Name} stopped answering about its task ({answer.Message}); the cost was refunded");
                    }

                    continue;
                case PollState.Queued:
                    errors = 0;
                    progress.Report(3);
                    continue;
                case PollState.Running:
                    errors = 0;
                    var expected = TimeSpan.FromSeconds(20 + (8 * job.Spec.DurationSeconds));
                    progress.Report(10 + (int)(80 * Math.Min(1, Time.GetElapsedTime(started) / expected)));
                    continue;
                case PollState.Succeeded:
                    return await DownloadAsync(job, answer, progress, ct);
                case PollState.Gone:
                    return EngineResult.FailoverFailure(FailCodes.UpstreamError, $"upstream {Name} no longer knows its task ({answer.Message}); the cost was refunded");
                default:
                    return MapTaskFailure(answer);
            }
        }
    }

    private async Task<EngineResult> DownloadAsync(EngineJob job, PollAnswer answer, IProgress<int> progress, CancellationToken ct)
    {
        progress.Report(92);
        try
        {
            // No Authorization header here: the URL is the upstream's (often a CDN's), not its API.
            using var response = await DownloadClient().GetAsync(answer.VideoUrl!, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                return EngineResult.FailoverFailure(FailCodes.UpstreamError, $"upstream {Name}'s video could not be downloaded (HTTP {(int)response.StatusCode}; its URL may have expired); the cost was refunded");
            }

            await using (var body = await response.Content.ReadAsStreamAsync(ct))
            await using (var file = new FileStream(job.OutputPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await body.CopyToAsync(file, ct);
            }

            if (!LooksLikeMp4(job.OutputPath))
            {
                return EngineResult.FailoverFailure(FailCodes.UpstreamError, $"upstream {Name} delivered something that is not an MP4; the cost was refunded");
            }
        }
        catch (Exception e) when (Unanswered(e, ct))
        {
            return EngineResult.FailoverFailure(FailCodes.UpstreamError, $"upstream {Name}'s video download broke off ({e.GetType().Name}); the cost was refunded");
        }

        if (job.ThumbnailPath is { } poster)
        {
            await CutPosterAsync(job.OutputPath, poster, ct);
        }

        if (job.LastFramePath is { } lastFrame)
        {
            await DownloadLastFrameAsync(job, answer.LastFrameUrl, lastFrame, ct);
        }

        progress.Report(99);
        return EngineResult.Success();
    }

    /// <summary>
    /// The last frame the spec asked for, from the URL the upstream gave with the video. Like the
    /// poster it never fails a video the upstream already made: no URL, a refused download or
    /// something that is not a PNG is logged and leaves no file, and the task's result then has
    /// no <c>lastFrameUrl</c>. (This class does not cut the frame from the MP4 itself.)
    /// </summary>
    private async Task DownloadLastFrameAsync(EngineJob job, string? url, string path, CancellationToken ct)
    {
        if (url is not { Length: > 0 })
        {
            LogNoLastFrame(Name, job.TaskId, "the upstream gave no last frame URL");
            return;
        }

        try
        {
            using var response = await DownloadClient().GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                LogNoLastFrame(Name, job.TaskId, "its download answered HTTP " + (int)response.StatusCode);
                return;
            }

            await using (var body = await response.Content.ReadAsStreamAsync(ct))
            await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await body.CopyToAsync(file, ct);
            }

            if (!LooksLikePng(path))
            {
                File.Delete(path);
                LogNoLastFrame(Name, job.TaskId, "the download is not a PNG");
            }
        }
        catch (Exception e) when (Unanswered(e, ct))
        {
            File.Delete(path);
            LogNoLastFrame(Name, job.TaskId, "its download broke off (" + e.GetType().Name + ")");
        }
    }

    /// <summary>
    /// The poster is a nicety: a cut that fails, hangs past 30 s or finds no ffmpeg leaves the
    /// task without one (allowed), never fails a video the upstream already made.
    /// </summary>
    private async Task CutPosterAsync(string video, string poster, CancellationToken ct)
    {
        try
        {
            var exit = await FfmpegProcess.RunAsync(Settings.FfmpegPath, ["-v", "error", "-y", "-i", video, "-frames:v", "1", "-q:v", "4", "-update", "1", "-f", "image2", poster], PosterRun, ct);
            if (!exit.Succeeded)
            {
                File.Delete(poster);
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No ffmpeg: the task has no poster.
        }
    }

    private static bool LooksLikeMp4(string path)
    {
        Span<byte> head = stackalloc byte[8];
        using var f = File.OpenRead(path);
        return f.Read(head) == 8 && head[4..8].SequenceEqual("ftyp"u8);
    }

    private static bool LooksLikePng(string path)
    {
        Span<byte> head = stackalloc byte[8];
        using var f = File.OpenRead(path);
        return f.Read(head) == 8 && head.SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
    }

    /// <summary>A create the upstream refused for good (4xx other than 429).</summary>
    private EngineResult MapCreateRefusal(CreateAnswer answer)
    {
        if (IsContentRefusal(answer.Code))
        {
            return EngineResult.Failure(FailCodes.ContentPolicyViolation, $"upstream {Name} refused the content ({answer.Code}); no video was produced and the cost was refunded");
        }

        var hint = answer.Status is 401 or 403 ? " (check Reelgate:Engines:" + Name + ":ApiKey)" : "";
        return EngineResult.FailoverFailure(FailCodes.UpstreamError, $"upstream {Name} refused the task: {Describe(answer.Status, answer.Code, answer.Message)}{hint}; the cost was refunded");
    }

    private EngineResult MapTaskFailure(PollAnswer answer)
    {
        if (answer.State == PollState.Failed && IsContentRefusal(answer.Code))
        {
            return EngineResult.Failure(FailCodes.ContentPolicyViolation, $"upstream {Name} refused the content ({answer.Code}); no video was produced and the cost was refunded");
        }

        var what = answer.State switch
        {
            PollState.Cancelled => "the upstream task was cancelled",
            PollState.Expired => "the upstream task expired before it ran",
            _ => "generation failed upstream: " + (answer.Code ?? "unknown") + (answer.Message is { Length: > 0 } m ? " (" + Truncate(m, 200) + ")" : ""),
        };
        return EngineResult.FailoverFailure(FailCodes.UpstreamError, $"upstream {Name}: {what}; the cost was refunded");
    }

    /// <summary>Upstream error codes that say the content itself was refused (never failed over).</summary>
    protected static bool IsContentRefusal(string? code) =>
        code is not null && (code.Contains("Sensitive", StringComparison.OrdinalIgnoreCase) || code.Contains("content_policy", StringComparison.OrdinalIgnoreCase) || code.Contains("ContentPolicy", StringComparison.OrdinalIgnoreCase));

    protected static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter is { } ra ? ra.Delta ?? (ra.Date is { } d ? d - DateTimeOffset.UtcNow : null) : null;

    protected static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string Describe(int status, string? code, string? message) =>
        (status == 0 ? "no answer" : "HTTP " + status) + (code is { Length: > 0 } ? " " + code : "") + (message is { Length: > 0 } ? ": " + Truncate(message, 200) : "");

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..n] + "...";

    /// <summary>The upstream did not answer usably (network, timeout, garbled body), and we were not cancelled.</summary>
    private static bool Unanswered(Exception e, CancellationToken ct) =>
        !ct.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or IOException or System.Text.Json.JsonException;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Jitter(TimeSpan t) => t * (0.8 + (Random.Shared.NextDouble() * 0.4));

    [LoggerMessage(Level = LogLevel.Information, Message = "engine {Engine}: task {TaskId} is upstream task {UpstreamId} (create try {Try})")]
    private partial void LogCreated(string engine, string taskId, string upstreamId, int @try);

    [LoggerMessage(Level = LogLevel.Debug, Message = "engine {Engine}: upstream task {UpstreamId} called back; polling now")]
    private partial void LogWoken(string engine, string upstreamId);

    [LoggerMessage(Level = LogLevel.Information, Message = "engine {Engine}: task {TaskId} resumes upstream task {UpstreamId}")]
    private partial void LogResumed(string engine, string taskId, string upstreamId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "engine {Engine}: task {TaskId} found its unconfirmed upstream task {UpstreamId} and adopted it")]
    private partial void LogAdopted(string engine, string taskId, string upstreamId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "engine {Engine}: task {TaskId} has no last frame ({Reason}); its result goes without one")]
    private partial void LogNoLastFrame(string engine, string taskId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "engine {Engine}: task {TaskId} create try {Try} refused (HTTP {Status} {Code}); retrying")]
    private partial void LogCreateRetry(string engine, string taskId, int @try, int status, string code);
}

/// <summary>A create's answer: the upstream id, or the status (0: no answer), error code and message.</summary>
public sealed record CreateAnswer(string? Id, int Status, string? Code, string? Message, TimeSpan? RetryAfter);

public enum PollState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Expired,
    Gone,
    Unreachable,
}

/// <summary>One poll's reading of the upstream task.</summary>
public sealed record PollAnswer(PollState State, string? VideoUrl, string? Usage, string? Code, long? Seed, string? Message)
{
    /// <summary>On success: the upstream's URL of the video's last frame (a PNG), when it gave one.</summary>
    public string? LastFrameUrl { get; init; }
}
