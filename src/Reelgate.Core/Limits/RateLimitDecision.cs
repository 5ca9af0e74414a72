namespace Reelgate.Core.Limits;

/// <summary>
/// Allowed, or refused with the window that refused and the seconds until it resets.
/// <see cref="Unavailable"/>: the shared limiter could not be asked and is configured to fail
/// closed (the request is refused with 503, not 429).
/// </summary>
public readonly record struct RateLimitDecision(bool Allowed, int RetryAfterSeconds, int Limit, int WindowSeconds, bool Unavailable = false)
{
    public static readonly RateLimitDecision Allow = new(true, 0, 0, 0);

    public static readonly RateLimitDecision LimiterUnavailable = new(false, 1, 0, 0, Unavailable: true);
}
