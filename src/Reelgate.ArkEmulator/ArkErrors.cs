using System.Globalization;
using System.Security.Cryptography;

namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// ModelArk's error answers: <c>{"error":{"code","message","param","type"}}</c> with the HTTP
/// status, type and message wording of its error code table; each message ends with a request
/// id, as ModelArk's do.
/// </summary>
internal static class ArkErrors
{
    public static IResult Unauthorized(TimeProvider time) =>
        Error(time, 401, "AuthenticationError", "The API key or AK/SK in the request is missing or invalid.", "", "Unauthorized");

    public static IResult MissingParameter(TimeProvider time, string param) =>
        Error(time, 400, "MissingParameter", $"The request failed because it is missing one or multiple required parameters: `{param}`.", param, "BadRequest");

    public static IResult InvalidParameter(TimeProvider time, string param, string why) =>
        Error(time, 400, "InvalidParameter", $"The parameter `{param}` specified in the request is not valid: {why}.", param, "BadRequest");

    public static IResult ModelNotFound(TimeProvider time, string model) =>
        Error(time, 404, "InvalidEndpointOrModel.NotFound", $"The model or endpoint {model} does not exist or you do not have access to it.", "model", "NotFound");

    public static IResult TaskNotFound(TimeProvider time, string id) =>
        Error(time, 404, "ResourceNotFound", $"The specified task {id} is not found.", "id", "NotFound");

    public static IResult TaskNotDeletable(TimeProvider time, string id, string status) =>
        Error(time, 400, "InvalidParameter", $"The task {id} is {status} and cannot be cancelled or deleted.", "id", "BadRequest");

    public static IResult InputTextSensitive(TimeProvider time) =>
        Error(time, 400, "InputTextSensitiveContentDetected", "The request failed because the input text may contain sensitive information.", "", "BadRequest");

    public static IResult RateLimited(TimeProvider time, int retryAfterSeconds) =>
        Error(time, 429, "RateLimitExceeded.EndpointRPMExceeded",
            "The Requests Per Minute (RPM) limit of the associated endpoint for your account has been exceeded.", "", "TooManyRequests", retryAfterSeconds);

    public static IResult Internal(TimeProvider time) =>
        Error(time, 500, "InternalServiceError", "The service encountered an unexpected internal error.", "", "InternalServerError");

    /// <summary>A request id shaped like ModelArk's: "021", the Unix time in milliseconds, random hex.</summary>
    public static string NewRequestId(TimeProvider time) =>
        "021" + time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    private static ErrorResult Error(TimeProvider time, int status, string code, string message, string param, string type, int? retryAfterSeconds = null) =>
        new(status, new ArkErrorBody(new ArkError(code, $"{message} Request id: {NewRequestId(time)}", param, type)), retryAfterSeconds);

    private sealed class ErrorResult(int status, ArkErrorBody body, int? retryAfterSeconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            if (retryAfterSeconds is { } seconds)
            {
                httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }

            return httpContext.Response.WriteAsJsonAsync(body, ArkJsonContext.Default.ArkErrorBody);
        }
    }
}
