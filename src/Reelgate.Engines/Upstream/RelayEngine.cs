using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Reelgate.Core.Engines;

namespace Reelgate.Engines.Upstream;

/// <summary>
/// Another platform of this jobs-API family (another Reelgate, or a provider with the same
/// <c>createTask</c>/<c>recordInfo</c> API), called with its own key. Creates carry
/// <c>X-Request-ID: reelgate-{taskId}</c>, so the peer's idempotency makes every retry of a
/// create, and every resumed claim, land on the same peer task. Media inputs go in the jobs-API
/// form the client sent them in. The result (and the last frame, when asked for) is downloaded
/// from the peer's signed URLs into our store.
/// </summary>
public sealed class RelayEngine(UpstreamEngineSettings settings, TimeProvider time, ILogger<RelayEngine> log, IHttpClientFactory http, UpstreamWakeups? wakeups = null)
    : UpstreamEngine(settings, time, log, http, wakeups)
{
    public override async Task CancelUpstreamAsync(string upstreamId, CancellationToken ct)
    {
        using var content = new StringContent(new JsonObject { ["taskId"] = upstreamId }.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await ApiClient().PostAsync("api/v1/jobs/cancel", content, ct);
    }

    public static string RequestId(string taskId) => "reelgate-" + taskId;

    /// <summary>
    /// The createTask body for a job (public for the adapter's tests): our engine's model for the
    /// peer, the resolved input, and the media inputs under the catalog fields the client used
    /// (a list field such as <c>image_urls</c> rebuilt in index order, a single-URL field such as
    /// <c>first_frame_url</c> as a string), each with the URL the worker chose for upstreams.
    /// </summary>
    public JsonObject Body(EngineJob job)
    {
        var spec = job.Spec;
        var input = new JsonObject
        {
            ["prompt"] = spec.Prompt,
            ["ratio"] = spec.Ratio,
            ["resolution"] = spec.Resolution,
            ["duration"] = spec.DurationSeconds,
            ["generate_audio"] = spec.Audio,
            ["web_search"] = spec.WebSearch,
            ["seed"] = spec.Seed,
        };
        foreach (var field in job.Media.GroupBy(m => m.Input.Field, StringComparer.Ordinal))
        {
            input[field.Key] = field.First().Input.Index < 0
                ? field.First().UpstreamUrl
                : new JsonArray([.. field.OrderBy(m => m.Input.Index).Select(m => (JsonNode)m.UpstreamUrl)]);
        }

        if (spec.ReturnLastFrame)
        {
            input["return_last_frame"] = true;
        }

        var body = new JsonObject
        {
            ["model"] = Settings.Model,
            ["input"] = input,
        };
        if (Settings.CallbackUrl is { } callback)
        {
            body["callBackUrl"] = callback.AbsoluteUri;
        }

        return body;
    }

    protected override async Task<CreateAnswer> SendCreateAsync(EngineJob job, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/jobs/createTask")
        {
            Content = new StringContent(Body(job).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Request-ID", RequestId(job.TaskId));
        using var response = await ApiClient().SendAsync(request, ct);
        var json = await ReadJsonAsync(response, ct);
        var code = (int?)json?["code"] ?? (int)response.StatusCode;
        if (response.IsSuccessStatusCode && code == 200 && (string?)json?["data"]?["taskId"] is { Length: > 0 } id)
        {
            return new CreateAnswer(id, 200, null, null, null);
        }

        var status = response.IsSuccessStatusCode ? (code == 200 ? 502 : code) : (int)response.StatusCode;
        return new CreateAnswer(null, status, code.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)json?["msg"], RetryAfter(response));
    }

    /// <summary>The peer deduplicates by X-Request-ID: sending the create again finds the task.</summary>
    protected override async Task<string?> FindCreatedAsync(EngineJob job, long sinceUnixMs, CancellationToken ct) =>
        (await SendCreateAsync(job, ct)).Id;

    protected override async Task<PollAnswer> SendPollAsync(string upstreamId, CancellationToken ct)
    {
        using var response = await ApiClient().GetAsync("api/v1/jobs/recordInfo?taskId=" + Uri.EscapeDataString(upstreamId), ct);
        var json = await ReadJsonAsync(response, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return new PollAnswer(PollState.Gone, null, null, null, null, "HTTP 404");
        }

        var data = json?["data"];
        if (!response.IsSuccessStatusCode || data is null)
        {
            return new PollAnswer(PollState.Unreachable, null, null, null, null, "HTTP " + (int)response.StatusCode);
        }

        var usage = new JsonObject { ["creditsConsumed"] = data["creditsConsumed"]?.DeepClone() }.ToJsonString();
        switch ((string?)data["state"])
        {
            case "success":
                var result = (string?)data["resultJson"] is { Length: > 0 } r ? JsonNode.Parse(r) : null;
                var url = (string?)result?["resultUrls"]?[0];
                return url is null
                    ? new PollAnswer(PollState.Failed, null, usage, "NoResultUrl", null, "success without resultUrls")
                    : new PollAnswer(PollState.Succeeded, url, usage, null, null, null) { LastFrameUrl = (string?)result?["lastFrameUrl"] };
            case "fail":
                var failCode = (string?)data["failCode"];
                return new PollAnswer(failCode == "cancelled" ? PollState.Cancelled : PollState.Failed, null, usage, failCode, null, (string?)data["failMsg"]);
            default:
                return new PollAnswer((int?)data["progress"] is > 0 ? PollState.Running : PollState.Queued, null, null, null, null, null);
        }
    }
}
