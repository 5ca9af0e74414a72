namespace Reelgate.Core.Tasks;

/// <summary>The stable <c>failCode</c> values (documented in docs/api.md).</summary>
public static class FailCodes
{
    /// <summary>The prompt matched the catalog's content-policy terms with the checker on.</summary>
    public const string ContentPolicyViolation = "content_policy_violation";

    /// <summary>A media input could not be fetched or is not an accepted file (the message names the field, index and reason).</summary>
    public const string InputInvalid = "input_invalid";

    /// <summary>The engine could not produce a video (e.g. ffmpeg missing or failing).</summary>
    public const string GenerationFailed = "generation_failed";

    /// <summary>Generation took longer than the engine timeout.</summary>
    public const string Timeout = "timeout";

    /// <summary>An upstream provider refused or failed the task.</summary>
    public const string UpstreamError = "upstream_error";

    /// <summary>The client cancelled the task before it ended.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>A platform fault: e.g. the task's worker died more times than allowed, or the result could not be stored.</summary>
    public const string InternalError = "internal_error";
}
