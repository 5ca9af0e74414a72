using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Reelgate.Core.Engines;
using Reelgate.Core.Media;

namespace Reelgate.Engines.Upstream;

/// <summary>
/// Seedance 2.0 on BytePlus ModelArk (international) or Volcengine Ark (China): the video
/// generation task API. <c>POST /api/v3/contents/generations/tasks</c> with the prompt,
/// ratio, resolution, duration, audio, the task's concrete seed and no watermark, then the media
/// inputs as role-tagged <c>image_url</c>/<c>video_url</c>/<c>audio_url</c> items;
/// <c>GET .../tasks/{id}</c> until <c>succeeded</c> (then <c>content.video_url</c>, valid about
/// 24 h, is downloaded at once, and <c>content.last_frame_url</c> when the spec asked for the
/// last frame), <c>failed</c>, <c>cancelled</c> or <c>expired</c>;
/// <c>DELETE .../tasks/{id}</c> cancels a queued one. A create whose answer was lost is found
/// again in the task list by model, seed, size and time, so a retry never makes a second task.
/// </summary>
public sealed class ModelArkEngine(UpstreamEngineSettings settings, TimeProvider time, ILogger<ModelArkEngine> log, IHttpClientFactory http, UpstreamWakeups? wakeups = null)
    : UpstreamEngine(settings, time, log, http, wakeups)
{
    private const string Tasks = "api/v3/contents/generations/tasks";

    public override async Task CancelUpstreamAsync(string upstreamId, CancellationToken ct)
    {
        using var response = await ApiClient().DeleteAsync(Tasks + "/" + Uri.EscapeDataString(upstreamId), ct);
    }

    /// <summary>The request body ModelArk expects for a spec (public for the adapter's tests).</summary>
    public JsonObject Body(EngineJob job)
    {
        var spec = job.Spec;
        var body = new JsonObject
        {
            ["model"] = Settings.Model,
            ["content"] = Content(job),
            ["ratio"] = spec.Ratio,
            ["resolution"] = spec.Resolution,
            ["duration"] = spec.DurationSeconds,
            ["generate_audio"] = spec.Audio,
            ["seed"] = spec.Seed,
            ["watermark"] = Settings.Watermark,
        };
        if (spec.WebSearch)
        {
            body["tools"] = new JsonArray(new JsonObject { ["type"] = "web_search" });
        }

        if (spec.ReturnLastFrame)
        {
            body["return_last_frame"] = true;
        }

        if (Settings.CallbackUrl is { } callback)
        {
            body["callback_url"] = callback.AbsoluteUri;
        }

        return body;
    }

    /// <summary>
    /// The text item (left out when the prompt is empty: a reference-to-video may have none), then
    /// one item per media input in the job's order, each with its role and the URL the worker chose
    /// for the upstream (the client's public URL, a signed URL of our copy, or a data: URI).
    /// </summary>
    private static JsonArray Content(EngineJob job)
    {
        var content = new JsonArray();
        if (job.Spec.Prompt.Length > 0)
        {
            content.Add(new JsonObject { ["type"] = "text", ["text"] = job.Spec.Prompt });
        }

        foreach (var media in job.Media)
        {
            var type = media.Input.Kind switch
            {
                MediaKind.Image => "image_url",
                MediaKind.Video => "video_url",
                _ => "audio_url",
            };
            content.Add(new JsonObject
            {
                ["type"] = type,
                [type] = new JsonObject { ["url"] = media.UpstreamUrl },
                ["role"] = media.Input.Role,
            });
        }

        return content;
    }

    protected override async Task<CreateAnswer> SendCreateAsync(EngineJob job, CancellationToken ct)
    {
        using var content = new StringContent(Body(job).ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await ApiClient().PostAsync(Tasks, content, ct);
        var json = await ReadJsonAsync(response, ct);
        if (response.IsSuccessStatusCode && (string?)json?["id"] is { Length: > 0 } id)
        {
            return new CreateAnswer(id, (int)response.StatusCode, null, null, null);
        }

        var error = json?["error"];
        return new CreateAnswer(
            null,
            response.IsSuccessStatusCode ? 502 : (int)response.StatusCode,
            (string?)error?["code"] ?? (response.IsSuccessStatusCode ? "NoTaskId" : null),
            (string?)error?["message"],
            RetryAfter(response));
    }

    protected override async Task<string?> FindCreatedAsync(EngineJob job, long sinceUnixMs, CancellationToken ct)
    {
        // Newest first; a task this job made carries its model, seed, resolution and duration
        // and was created after the attempt began (seeds are 32-bit random per task).
        var since = (sinceUnixMs / 1000) - 60;
        for (var page = 1; page <= 5; page++)
        {
            using var response = await ApiClient().GetAsync($"{Tasks}?page_num={page}&page_size=100&filter.model={Uri.EscapeDataString(Settings.Model)}", ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"task list answered {(int)response.StatusCode}");
            }

            var items = (await ReadJsonAsync(response, ct))?["items"]?.AsArray();
            if (items is null || items.Count == 0)
            {
                return null;
            }

            foreach (var item in items)
            {
                if (item is null)
                {
                    continue;
                }

                var created = Long(item["created_at"]);
                if (Long(item["seed"]) == job.Spec.Seed
                    && (string?)item["resolution"] == job.Spec.Resolution
                    && Long(item["duration"]) == job.Spec.DurationSeconds
                    && created >= since)
                {
                    return (string?)item["id"];
                }
            }

            if (items.Select(i => Long(i?["created_at"])).Min() < since)
            {
                return null;
            }
        }

        return null;
    }

    protected override async Task<PollAnswer> SendPollAsync(string upstreamId, CancellationToken ct)
    {
        using var response = await ApiClient().GetAsync(Tasks + "/" + Uri.EscapeDataString(upstreamId), ct);
        var json = await ReadJsonAsync(response, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return new PollAnswer(PollState.Gone, null, null, (string?)json?["error"]?["code"], null, "HTTP 404");
        }

        if (!response.IsSuccessStatusCode || json is null)
        {
            return new PollAnswer(PollState.Unreachable, null, null, null, null, "HTTP " + (int)response.StatusCode);
        }

        var usage = json["usage"] is JsonObject u ? u.ToJsonString() : null;
        var seed = Long(json["seed"]);
        var code = (string?)json["error"]?["code"];
        var message = (string?)json["error"]?["message"];
        return (string?)json["status"] switch
        {
            "queued" => new PollAnswer(PollState.Queued, null, usage, null, seed, null),
            "running" => new PollAnswer(PollState.Running, null, usage, null, seed, null),
            "succeeded" when (string?)json["content"]?["video_url"] is { Length: > 0 } url => new PollAnswer(PollState.Succeeded, url, usage, null, seed, null)
            {
                LastFrameUrl = (string?)json["content"]?["last_frame_url"],
            },
            "succeeded" => new PollAnswer(PollState.Failed, null, usage, "NoVideoUrl", seed, "succeeded without content.video_url"),
            "failed" => new PollAnswer(PollState.Failed, null, usage, code, seed, message),
            "cancelled" => new PollAnswer(PollState.Cancelled, null, usage, code, seed, message),
            "expired" => new PollAnswer(PollState.Expired, null, usage, code, seed, message),
            var other => new PollAnswer(PollState.Unreachable, null, usage, null, seed, "unknown status " + other),
        };
    }

    private static long? Long(JsonNode? node) => node is JsonValue v
        ? v.TryGetValue<long>(out var l) ? l : v.TryGetValue<double>(out var d) ? (long)d : v.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : null
        : null;
}
