namespace Reelgate.Client;

/// <summary>The platform answered with an error envelope (<c>{"code": ..., "msg": ...}</c>).</summary>
public class ReelgateApiException : Exception
{
    /// <summary>Creates the exception for an error envelope.</summary>
    /// <param name="code">The envelope's <c>code</c> (equal to the HTTP status on Reelgate).</param>
    /// <param name="apiMessage">The envelope's <c>msg</c>.</param>
    public ReelgateApiException(int code, string apiMessage)
        : base($"{code} {apiMessage}")
    {
        Code = code;
        ApiMessage = apiMessage;
    }

    /// <summary>The envelope's <c>code</c>: 400, 401, 402, 404, 409, 422, 429, 500...</summary>
    public int Code { get; }

    /// <summary>The envelope's <c>msg</c>, e.g. <c>insufficient credits</c>.</summary>
    public string ApiMessage { get; }

    /// <summary>The right exception type for an error envelope.</summary>
    /// <param name="code">The envelope's code.</param>
    /// <param name="msg">The envelope's msg.</param>
    /// <param name="retryAfter">The Retry-After of a 429, if any.</param>
    public static ReelgateApiException For(int code, string msg, TimeSpan? retryAfter = null) => code switch
    {
        401 => new ReelgateAuthenticationException(msg),
        402 => new ReelgateInsufficientCreditsException(msg),
        404 => new ReelgateNotFoundException(msg),
        409 => new ReelgateConflictException(msg),
        429 => new ReelgateRateLimitException(msg, retryAfter),
        400 or 422 => new ReelgateValidationException(code, msg),
        _ => new ReelgateApiException(code, msg),
    };
}

/// <summary>401: the API key is missing, malformed, revoked or its account is disabled.</summary>
/// <param name="msg">The envelope's msg.</param>
public sealed class ReelgateAuthenticationException(string msg) : ReelgateApiException(401, msg);

/// <summary>402: the account's credits do not cover the task's price.</summary>
/// <param name="msg">The envelope's msg.</param>
public sealed class ReelgateInsufficientCreditsException(string msg) : ReelgateApiException(402, msg);

/// <summary>404: no such task for this key's account.</summary>
/// <param name="msg">The envelope's msg.</param>
public sealed class ReelgateNotFoundException(string msg) : ReelgateApiException(404, msg);

/// <summary>409: a request conflict (same X-Request-ID, other body), the active-task limit, or a task that can no longer be cancelled.</summary>
/// <param name="msg">The envelope's msg.</param>
public sealed class ReelgateConflictException(string msg) : ReelgateApiException(409, msg);

/// <summary>400 or 422: the request or its input is invalid; <see cref="ReelgateApiException.ApiMessage"/> names the field.</summary>
/// <param name="code">400 or 422.</param>
/// <param name="msg">The envelope's msg.</param>
public sealed class ReelgateValidationException(int code, string msg) : ReelgateApiException(code, msg);

/// <summary>429: the key's rate limit, still exceeded after the client's retries.</summary>
/// <param name="msg">The envelope's msg.</param>
/// <param name="retryAfter">When the window frees up, from the Retry-After header.</param>
public sealed class ReelgateRateLimitException(string msg, TimeSpan? retryAfter) : ReelgateApiException(429, msg)
{
    /// <summary>When to try again, from the Retry-After header.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>A task ended in <c>fail</c>; thrown by <see cref="TaskInfo.EnsureSucceeded"/>.</summary>
public sealed class ReelgateTaskFailedException : Exception
{
    /// <summary>Creates the exception for a failed task.</summary>
    /// <param name="task">The failed task.</param>
    public ReelgateTaskFailedException(TaskInfo task)
        : base($"task {task.TaskId} failed: {task.FailCode} {task.FailMsg}")
    {
        Task = task;
    }

    /// <summary>The task as recordInfo returned it.</summary>
    public TaskInfo Task { get; }

    /// <summary>The task's failCode (e.g. <c>content_policy</c>, <c>timeout</c>, <c>cancelled</c>).</summary>
    public string? FailCode => Task.FailCode;
}
