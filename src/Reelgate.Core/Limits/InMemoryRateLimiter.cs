using System.Collections.Concurrent;

namespace Reelgate.Core.Limits;

/// <summary>
/// Fixed windows aligned to the clock (each second, each minute), per key and request kind,
/// held in memory: the single-node default. Both windows must allow a request; a refused
/// request is not counted, so it creates and charges nothing and does not prolong the wait.
/// </summary>
public sealed class InMemoryRateLimiter(TimeProvider time) : IRateLimiter
{
    private readonly ConcurrentDictionary<(string, RequestKind), Counter> _counters = new();

    public ValueTask<RateLimitDecision> TryAcquireAsync(string keyId, RequestKind kind, TierLimits tier, CancellationToken ct) =>
        ValueTask.FromResult(TryAcquire(keyId, kind, tier));

    /// <summary>The same, synchronously (nothing here waits).</summary>
    public RateLimitDecision TryAcquire(string keyId, RequestKind kind, TierLimits tier)
    {
        var (perSecond, perMinute) = kind == RequestKind.Create
            ? (tier.CreatePerSecond, tier.CreatePerMinute)
            : (tier.ReadPerSecond, tier.ReadPerMinute);
        if (perSecond is null && perMinute is null)
        {
            return RateLimitDecision.Allow;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var counter = _counters.GetOrAdd((keyId, kind), static _ => new Counter());
        lock (counter)
        {
            var second = now / 1000;
            var minute = now / 60_000;
            if (counter.Second != second)
            {
                counter.Second = second;
                counter.SecondCount = 0;
            }

            if (counter.Minute != minute)
            {
                counter.Minute = minute;
                counter.MinuteCount = 0;
            }

            // The minute window is reported first: its wait is the longer one.
            if (perMinute is { } m && counter.MinuteCount >= m)
            {
                return new RateLimitDecision(false, SecondsUntil((minute + 1) * 60_000, now), m, 60);
            }

            if (perSecond is { } s && counter.SecondCount >= s)
            {
                return new RateLimitDecision(false, SecondsUntil((second + 1) * 1000, now), s, 1);
            }

            counter.SecondCount++;
            counter.MinuteCount++;
            return RateLimitDecision.Allow;
        }
    }

    private static int SecondsUntil(long endMs, long nowMs) => (int)Math.Max(1, (endMs - nowMs + 999) / 1000);

    private sealed class Counter
    {
        public long Second = -1;
        public long Minute = -1;
        public int SecondCount;
        public int MinuteCount;
    }
}
