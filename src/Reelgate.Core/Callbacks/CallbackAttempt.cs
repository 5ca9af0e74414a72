namespace Reelgate.Core.Callbacks;

/// <summary>One try: the HTTP status (null when none came back), the error, how long it took.</summary>
public sealed record CallbackAttempt(long AttemptedAt, int? StatusCode, string? Error, long DurationMs)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}
