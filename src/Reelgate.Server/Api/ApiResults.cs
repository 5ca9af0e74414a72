using System.Text.Json.Serialization.Metadata;

namespace Reelgate.Server.Api;

/// <summary>Builds envelope responses; the HTTP status always equals the envelope's code.</summary>
public static class ApiResults
{
    public const string InvalidRequest = "invalid request";
    public const string AuthenticationFailed = "authentication failed";

    public static IResult Ok<T>(T data, JsonTypeInfo<ApiEnvelope<T>> type) =>
        TypedResults.Json(new ApiEnvelope<T>(200, "success", data), type, statusCode: 200);

    public static IResult Error(int code, string msg) =>
        TypedResults.Json(new ApiEnvelope<object>(code, msg, null), ApiJsonContext.Web.ApiEnvelopeObject, statusCode: code);

    /// <summary>
    /// A refused rate-limit decision: 429 with <c>Retry-After</c> and the limit in data, or 503 with
    /// <c>Retry-After: 1</c> when the shared limiter is unavailable and fails closed.
    /// </summary>
    public static IResult RateLimited(HttpContext http, Reelgate.Core.Limits.RateLimitDecision decision, string tier)
    {
        if (decision.Unavailable)
        {
            http.Response.Headers.RetryAfter = "1";
            return Error(503, "rate limiter unavailable");
        }

        http.Response.Headers.RetryAfter = decision.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = new ApiEnvelope<RateLimitData>(429, "rate limit exceeded", new RateLimitData(decision.RetryAfterSeconds, decision.Limit, tier, decision.WindowSeconds));
        return TypedResults.Json(body, ApiJsonContext.Web.ApiEnvelopeRateLimitData, statusCode: 429);
    }

    public static IResult OkNull() => TypedResults.Json(new ApiEnvelope<object>(200, "success", null), ApiJsonContext.Web.ApiEnvelopeObject, statusCode: 200);

    /// <summary>Writes an error envelope directly (middleware, status-code pages, exception handler).</summary>
    public static Task WriteErrorAsync(HttpContext context, int code, string msg)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json; charset=utf-8";
        return System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, new ApiEnvelope<object>(code, msg, null), ApiJsonContext.Web.ApiEnvelopeObject, context.RequestAborted);
    }
}
