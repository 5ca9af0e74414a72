namespace Reelgate.Core.Limits;

/// <summary>Allowed, or refused with the window that refused and the seconds until it resets.</summary>
public readonly record struct RateLimitDecision(bool Allowed, int RetryAfterSeconds, int Limit, int WindowSeconds)
{
    public static readonly RateLimitDecision Allow = new(true, 0, 0, 0);
}
