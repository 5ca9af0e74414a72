using System.Text.Json;

namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// <c>POST /api/v3/contents/generations/tasks</c>. Checks in this order: API key (401), body and
/// fields (400), model (404), the prompt's markers (400), the prompt's scripted 429/500s, the
/// global every-Nth 429/500 knobs, input moderation (400), then the task is made; after that a
/// scripted or global "drop" aborts the connection instead of answering the id.
/// </summary>
internal static class CreateTaskEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext http, ArkEmulatorOptions options, ArkTaskStore store, ArkStats stats, TimeProvider time)
    {
        var (result, task) = await DecideAsync(http, options, store, time);
        if (task is null)
        {
            stats.CreateRefused();
            return result;
        }

        stats.CreateAccepted();
        if (options.CreateAnswerDelay > TimeSpan.Zero)
        {
            await Task.Delay(options.CreateAnswerDelay, time, http.RequestAborted);
        }

        var dropScripted = task.Script.DropFirst > 0 && store.CountPromptCreate("drop", task.Request.Prompt) <= task.Script.DropFirst;
        if (dropScripted || options.TryTakeDrop())
        {
            // Created upstream, but the caller never hears of it: the connection just ends.
            http.Abort();
            return Results.Empty;
        }

        return result;
    }

    private static async Task<(IResult Result, ArkTask? Task)> DecideAsync(HttpContext http, ArkEmulatorOptions options, ArkTaskStore store, TimeProvider time)
    {
        if (!ApiKeyCheck.IsAuthorized(http.Request, options))
        {
            return (ArkErrors.Unauthorized(time), null);
        }

        CreateTaskRequest request;
        try
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body, default, http.RequestAborted);
            var (read, problem) = CreateTaskRequest.Read(body.RootElement);
            if (problem is not null)
            {
                return (problem.Missing ? ArkErrors.MissingParameter(time, problem.Param) : ArkErrors.InvalidParameter(time, problem.Param, problem.Why), null);
            }

            request = read!;
        }
        catch (JsonException)
        {
            return (ArkErrors.InvalidParameter(time, "", "the request body is not valid JSON"), null);
        }

        if (!options.Models.Contains(request.Model))
        {
            return (ArkErrors.ModelNotFound(time, request.Model), null);
        }

        var (script, markerProblem) = TaskScript.Parse(request.Prompt);
        if (script is null)
        {
            return (ArkErrors.InvalidParameter(time, request.PromptParam, markerProblem!), null);
        }

        if (script.RateLimitFirst > 0 && store.CountPromptCreate("429", request.Prompt) <= script.RateLimitFirst)
        {
            return (ArkErrors.RateLimited(time, options.RetryAfterSeconds), null);
        }

        if (script.InternalErrorFirst > 0 && store.CountPromptCreate("500", request.Prompt) <= script.InternalErrorFirst)
        {
            return (ArkErrors.Internal(time), null);
        }

        // Each knob is read once: a test may set it to 0 at any moment.
        var number = store.NextCreateNumber();
        var every429 = options.RateLimit429Every;
        if (every429 > 0 && number % every429 == 0)
        {
            return (ArkErrors.RateLimited(time, options.RetryAfterSeconds), null);
        }

        var every500 = options.Fail500Every;
        if (every500 > 0 && number % every500 == 0)
        {
            return (ArkErrors.Internal(time), null);
        }

        if (script.RejectInput)
        {
            return (ArkErrors.InputTextSensitive(time), null);
        }

        var task = store.Create(request, script);
        return (Results.Json(new CreatedTask(task.Id), ArkJsonContext.Default.CreatedTask), task);
    }
}
