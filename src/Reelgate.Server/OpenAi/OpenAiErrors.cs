using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Reelgate.Server.Api;
using Reelgate.Server.Creation;

namespace Reelgate.Server.OpenAi;

/// <summary>
/// Every refusal of <c>/v1</c> in OpenAI's shape, <c>{"error":{"message","type","param","code"}}</c>,
/// with the status OpenAI's SDKs map to their error classes: 400 <c>BadRequestError</c> (with
/// <c>param</c>), 401 <c>AuthenticationError</c>, 404 <c>NotFoundError</c>, 409 <c>ConflictError</c>,
/// 429 <c>RateLimitError</c> (rate limit, active-task limit, and insufficient credits as OpenAI's
/// own <c>insufficient_quota</c>), 5xx <c>InternalServerError</c>. Refusals a retry cannot cure
/// carry <c>x-should-retry: false</c>, which the SDKs obey instead of retrying a 409 or 429.
/// </summary>
public static class OpenAiErrors
{
    public const string InvalidRequest = "invalid_request_error";

    public static IResult BadRequest(string message, string? param, string code = "invalid_value") =>
        Error(400, message, InvalidRequest, param, code);

    public static IResult NotFound(string message, string code = "not_found") => Error(404, message, InvalidRequest, null, code);

    public static IResult Error(int status, string message, string type, string? param, string? code) =>
        TypedResults.Json(new OpenAiErrorBody(new OpenAiErrorDetail(message, type, param, code)), OpenAiJsonContext.Default.OpenAiErrorBody, statusCode: status);

    /// <summary>A refusal that retrying will not cure: the SDKs' retry loop is told so.</summary>
    private static IResult Final(HttpContext http, int status, string message, string type, string? code)
    {
        http.Response.Headers["x-should-retry"] = "false";
        return Error(status, message, type, null, code);
    }

    /// <summary>The OpenAI wording of every create outcome that is not a video: the one place it is decided.</summary>
    public static IResult FromCreate(CreateResult result, HttpContext http, VideoFieldNames names) => result.Status switch
    {
        CreateStatus.InvalidRequest => BadRequest("Idempotency-Key (or X-Request-ID) must be sent once, 1 to 128 printable ASCII characters", null, "invalid_idempotency_key"),
        CreateStatus.UnknownModel => BadRequest("model is not supported; GET /api/v1/models lists the catalog", "model", "model_not_found"),
        CreateStatus.InvalidInput => BadRequest(names.Rewrite(result.Message!), names.ParamOf(result.Field)),
        CreateStatus.Conflict => Final(http, 409, "this Idempotency-Key was used with a different request body", InvalidRequest, "idempotency_key_conflict"),
        CreateStatus.ActiveTaskLimit => Final(http, 429, $"active task limit exceeded: this key may have {result.ActiveTaskLimit} videos queued or in progress", "requests", "active_task_limit_exceeded"),
        CreateStatus.InsufficientCredits => Final(http, 429, $"insufficient credits: this video costs {result.Cost} credits; top up the account", "insufficient_quota", "insufficient_quota"),
        CreateStatus.KeyCreditLimit => Final(http, 429, $"{Api.CreateTaskEndpoint.KeyCreditLimitMessage}: this video costs {result.Cost} credits, more than this API key may still spend in its period", "insufficient_quota", "insufficient_quota"),
        CreateStatus.RateLimited or CreateStatus.RateLimiterUnavailable => RateLimited(http, result.RateLimit, result.Tier!),
        _ => throw new InvalidOperationException($"create outcome {result.Status} has no OpenAI wording"),
    };

    /// <summary>A refused rate-limit decision: 429 with <c>Retry-After</c>, or 503 when the shared limiter fails closed.</summary>
    public static IResult RateLimited(HttpContext http, Core.Limits.RateLimitDecision decision, string tier)
    {
        if (decision.Unavailable)
        {
            http.Response.Headers.RetryAfter = "1";
            return Error(503, "rate limiter unavailable; try again shortly", "server_error", null, "service_unavailable");
        }

        http.Response.Headers.RetryAfter = decision.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Error(429, $"rate limit exceeded: {decision.Limit} requests per {decision.WindowSeconds} s for tier {tier}", "requests", null, "rate_limit_exceeded");
    }

    /// <summary>
    /// The key filter of <c>/api/v1</c> (authentication, then the tier's rate limit), its
    /// refusals worded here: the same keys and limits, never the jobs-API envelope.
    /// </summary>
    public static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> KeyFilter(ApiKeyFilter filter) =>
        async (context, next) => await filter.InvokeAsync(context, next) switch
        {
            JsonHttpResult<ApiEnvelope<object>> { StatusCode: 401 } refused => Error(401,
                refused.Value!.Msg == ApiResults.AuthenticationFailed ? "invalid API key: send Authorization: Bearer sk-..." : refused.Value.Msg, InvalidRequest, null, "invalid_api_key"),
            JsonHttpResult<ApiEnvelope<object>> { StatusCode: { } code } refused => Error(code, refused.Value!.Msg, code >= 500 ? "server_error" : InvalidRequest, null, null),
            JsonHttpResult<ApiEnvelope<RateLimitData>> { Value.Data: { } limit } => Error(429, $"rate limit exceeded: {limit.Limit} requests per {limit.WindowSeconds} s for tier {limit.Tier}", "requests", null, "rate_limit_exceeded"),
            var other => other,
        };

    /// <summary>Writes an error directly (status-code pages, the exception handler) for a <c>/v1</c> path.</summary>
    public static Task WriteAsync(HttpContext context, int status, string message, string type, string? code)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, new OpenAiErrorBody(new OpenAiErrorDetail(message, type, null, code)), OpenAiJsonContext.Default.OpenAiErrorBody, context.RequestAborted);
    }

    /// <summary>True for the paths of this API (they answer in OpenAI's shape, never the envelope).</summary>
    public static bool IsOpenAiPath(PathString path) => path.StartsWithSegments("/v1");
}
