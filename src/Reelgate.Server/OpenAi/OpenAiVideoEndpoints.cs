using System.Globalization;
using System.Text.Json;
using Microsoft.OpenApi;
using Reelgate.Core.Results;
using Reelgate.Core.Tasks;
using Reelgate.Server.Api;
using Reelgate.Server.Creation;
using Reelgate.Server.OpenApi;
using Reelgate.Server.Uploads;
using Reelgate.Server.Workers;

namespace Reelgate.Server.OpenAi;

/// <summary>
/// OpenAI's Videos API under <c>/v1</c>, a second front door over the same tasks: the same keys
/// and tiers (<see cref="ApiKeyFilter"/>, create and read buckets as createTask and recordInfo),
/// the same create use case, cancel, result files and views. Only the wording is OpenAI's
/// (<see cref="OpenAiErrors"/>); docs/openai-compatible.md has the mapping.
/// </summary>
public static class OpenAiVideoEndpoints
{
    public static IEndpointRouteBuilder MapOpenAiVideos(this IEndpointRouteBuilder app)
    {
        var create = OpenAiErrors.KeyFilter(ApiKeyFilter.Create);
        var read = OpenAiErrors.KeyFilter(ApiKeyFilter.Read);
        var v1 = app.MapGroup("/v1/videos").WithTags("OpenAI Videos");
        v1.MapPost("", CreateAsync).AddEndpointFilter(create)
            .OpenAiDocumented<VideoData>("Create a video (OpenAI Videos API; JSON or multipart with an input_reference file)", 400, 401, 409, 429, 500, 503)
            .IdempotencyHeader()
            .WithDescription(OpenAiDocs.CreateDescription)
            .AddOpenApiOperationTransformer(OpenAiDocs.CreateBody);
        v1.MapGet("", ListAsync).AddEndpointFilter(read)
            .OpenAiDocumented<VideoListData>("List the account's videos, newest first or oldest first (OpenAI's cursor list)", 400, 401, 429, 500, 503)
            .QueryParameter("after", required: false, "The id of the last video of the previous page.")
            .QueryParameter("limit", required: false, "Page size, 1 to 100 (default 20).", () => new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = "100", Default = 20 })
            .QueryParameter("order", required: false, "desc (newest first, the default) or asc (oldest first).", () => new OpenApiSchema { Type = JsonSchemaType.String, Enum = ["desc", "asc"] });
        v1.MapGet("/{videoId}", RetrieveAsync).AddEndpointFilter(read)
            .OpenAiDocumented<VideoData>("Retrieve a video (the task of that id)", 401, 404, 429, 500, 503);
        v1.MapDelete("/{videoId}", DeleteAsync).AddEndpointFilter(create)
            .OpenAiDocumented<VideoDeletedData>("Delete a video: cancel it (full refund) while queued or in progress, else delete its files", 401, 404, 429, 500, 503);
        v1.MapGet("/{videoId}/content", ContentAsync).AddEndpointFilter(read)
            .OpenAiContent("Download the MP4, its JPEG poster (thumbnail) or a JPEG sprite sheet of its frames; ranges and ETag")
            .QueryParameter("variant", required: false, "video (default), thumbnail or spritesheet.", () => new OpenApiSchema { Type = JsonSchemaType.String, Enum = ["video", "thumbnail", "spritesheet"], Default = "video" });
        v1.MapPost("/{videoId}/remix", RemixAsync).AddEndpointFilter(create)
            .OpenAiDocumented<VideoData>("Remix a video: a new task from its inputs with a new prompt (billed as a new task)", 400, 401, 404, 409, 429, 500, 503)
            .IdempotencyHeader()
            .AddOpenApiOperationTransformer(OpenAiDocs.RemixBody);
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpContext http, UploadService uploads, VideoCreator creator)
    {
        var (request, refused) = await VideoRequestReader.ReadAsync(http, uploads);
        if (request is null)
        {
            return refused!;
        }

        using (request)
        {
            return await creator.CreateAsync(http, request);
        }
    }

    private static async Task<IResult> RetrieveAsync(string videoId, HttpContext http, ITaskStore tasks, VideoView videos) =>
        await FindAsync(videoId, http, tasks) is { } task
            ? TypedResults.Json(videos.ToVideo(task, http.Request), OpenAiJsonContext.Default.VideoData)
            : NotFound(videoId);

    private static async Task<IResult> ListAsync(HttpContext http, ITaskStore tasks, VideoView videos)
    {
        var q = http.Request.Query;
        foreach (var name in new[] { "after", "limit", "order" })
        {
            if (q[name].Count > 1)
            {
                return OpenAiErrors.BadRequest($"{name} is given more than once", name);
            }
        }

        var limit = 20;
        if (!string.IsNullOrEmpty(q["limit"]) && (!int.TryParse(q["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            return OpenAiErrors.BadRequest("limit must be a whole number from 1 to 100", "limit");
        }

        var order = q["order"].ToString();
        if (order is not ("" or "desc" or "asc"))
        {
            return OpenAiErrors.BadRequest("order must be asc or desc", "order");
        }

        TaskCursor? after = null;
        if (q["after"].ToString() is { Length: > 0 } afterId)
        {
            if (await FindAsync(afterId, http, tasks) is not { } last)
            {
                return OpenAiErrors.BadRequest($"after names no video of this account: '{afterId}'", "after");
            }

            after = new TaskCursor(last.CreateTime, last.TaskId);
        }

        var key = ApiCaller.Of(http).Key;
        var page = await tasks.ListAsync(key.AccountId, null, null, after, limit + 1, http.RequestAborted, oldestFirst: order == "asc");
        var items = page.Take(limit).Select(t => videos.ToVideo(t, http.Request)).ToList();
        var list = new VideoListData("list", items, items.FirstOrDefault()?.Id, items.LastOrDefault()?.Id, page.Count > limit);
        return TypedResults.Json(list, OpenAiJsonContext.Default.VideoListData);
    }

    private static async Task<IResult> DeleteAsync(string videoId, HttpContext http, ITaskStore tasks, TaskCanceller canceller, IResultStore results, TimeProvider time)
    {
        if (await FindAsync(videoId, http, tasks) is not { } task)
        {
            return NotFound(videoId);
        }

        // Queued or generating: the cancel of the jobs API (fail with cancelled, full refund). One
        // that ended in between is deleted like any ended task.
        if (task.State == TaskState.Waiting
            && await canceller.CancelAsync(task.TaskId, task.AccountId, http.RequestAborted) == CancelOutcome.Cancelled)
        {
            return Deleted(task.TaskId);
        }

        task = await tasks.GetAsync(task.TaskId, http.RequestAborted) ?? task;
        if (task.State == TaskState.Success)
        {
            // The files go; the record, its cost and the ledger stay (retrieve shows expires_at).
            await ResultFileRemoval.RemoveAsync(results, tasks, task, time.GetUtcNow().ToUnixTimeMilliseconds(), CancellationToken.None);
        }

        return Deleted(task.TaskId);
    }

    private static async Task<IResult> ContentAsync(string videoId, HttpContext http, ITaskStore tasks, IResultStore results, VideoSpriteSheet sprites)
    {
        var variants = http.Request.Query["variant"];
        var variant = variants.Count == 0 || string.IsNullOrEmpty(variants[0]) ? "video" : variants.Count == 1 ? variants[0]! : "";
        if (variant is not ("video" or "thumbnail" or "spritesheet"))
        {
            return OpenAiErrors.BadRequest("variant must be one of video, thumbnail, spritesheet", "variant");
        }

        if (await FindAsync(videoId, http, tasks) is not { } task)
        {
            return NotFound(videoId);
        }

        if (task.State != TaskState.Success)
        {
            return OpenAiErrors.NotFound($"video '{videoId}' has no content: it is {(task.State == TaskState.Fail ? "failed" : "not completed yet")}", "video_not_ready");
        }

        if (task.ResultsExpiredAt is not null)
        {
            return OpenAiErrors.NotFound($"the files of video '{videoId}' were deleted or have expired", "video_expired");
        }

        var key = variant switch
        {
            "video" => task.ResultKey,
            "thumbnail" => task.ThumbnailKey,
            _ => await sprites.EnsureAsync(task, http.RequestAborted),
        };
        if (key is null)
        {
            return OpenAiErrors.NotFound($"video '{videoId}' has no {variant}", "variant_not_found");
        }

        return await ResultFileResponse.ServeAsync(results, key, http, (code, message) => code == 404
            ? OpenAiErrors.NotFound(message, "file_not_found")
            : OpenAiErrors.Error(code, message, "server_error", null, "service_unavailable"));
    }

    private static async Task<IResult> RemixAsync(string videoId, HttpContext http, ITaskStore tasks, VideoCreator creator)
    {
        if (!RequestBodyReader.HasJsonContentType(http.Request) || await RequestBodyReader.ReadAsync(http.Request, http.RequestAborted) is not { } bytes)
        {
            return OpenAiErrors.BadRequest("the body must be UTF-8 JSON of at most 1 MiB: {\"prompt\": \"...\"}", null, "invalid_request");
        }

        JsonElement prompt;
        try
        {
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return OpenAiErrors.BadRequest("the body must be a JSON object: {\"prompt\": \"...\"}", null, "invalid_request");
            }

            foreach (var unknown in doc.RootElement.EnumerateObject().Where(p => p.Name != "prompt"))
            {
                return OpenAiErrors.BadRequest($"Unknown parameter: '{unknown.Name}'.", unknown.Name, "unknown_parameter");
            }

            if (!doc.RootElement.TryGetProperty("prompt", out var p) || p.ValueKind == JsonValueKind.Null)
            {
                return OpenAiErrors.BadRequest("prompt is required", "prompt");
            }

            prompt = p.Clone();
        }
        catch (JsonException)
        {
            return OpenAiErrors.BadRequest("the body is not valid JSON", null, "invalid_request");
        }

        return await FindAsync(videoId, http, tasks) is { } source
            ? await creator.RemixAsync(http, source, prompt)
            : NotFound(videoId);
    }

    /// <summary>The caller's account's task of that id; another account's is not found too (existence is never revealed).</summary>
    private static async Task<TaskRecord?> FindAsync(string videoId, HttpContext http, ITaskStore tasks)
    {
        var task = TaskIds.IsWellFormed(videoId) ? await tasks.GetAsync(videoId, http.RequestAborted) : null;
        return task is not null && task.AccountId == ApiCaller.Of(http).Key.AccountId ? task : null;
    }

    private static IResult NotFound(string videoId) => OpenAiErrors.NotFound($"no video with id '{videoId}'", "video_not_found");

    private static IResult Deleted(string id) => TypedResults.Json(new VideoDeletedData(id, "video.deleted", true), OpenAiJsonContext.Default.VideoDeletedData);
}
