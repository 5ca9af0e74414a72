using Microsoft.Extensions.Time.Testing;
using Reelgate.Core.Limits;

namespace Reelgate.Core.Tests;

public sealed class RateLimiterTests
{
    [Fact]
    public void TryAcquire_RefusesWithSecondsToWindowEnd_WhenMinuteWindowIsFull()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 43, TimeSpan.Zero));
        var limiter = new InMemoryRateLimiter(clock);
        var tier = new TierLimits { CreatePerSecond = 100, CreatePerMinute = 3 };
        for (var i = 0; i < 3; i++)
        {
            Assert.True(limiter.TryAcquire("k", RequestKind.Create, tier).Allowed);
        }

        var refused = limiter.TryAcquire("k", RequestKind.Create, tier);
        Assert.Equal(new RateLimitDecision(false, 17, 3, 60), refused);
        Assert.True(limiter.TryAcquire("k", RequestKind.Read, tier).Allowed);
        Assert.True(limiter.TryAcquire("other", RequestKind.Create, tier).Allowed);
        clock.Advance(TimeSpan.FromSeconds(17));
        Assert.True(limiter.TryAcquire("k", RequestKind.Create, tier).Allowed);
    }

    [Fact]
    public void TryAcquire_DoesNotCountRefusals_WhenSecondWindowIsFull()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var limiter = new InMemoryRateLimiter(clock);
        var tier = new TierLimits { CreatePerSecond = 1, CreatePerMinute = 2 };
        Assert.True(limiter.TryAcquire("k", RequestKind.Create, tier).Allowed);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(new RateLimitDecision(false, 1, 1, 1), limiter.TryAcquire("k", RequestKind.Create, tier));
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire("k", RequestKind.Create, tier).Allowed);
    }

    [Fact]
    public void TryAcquire_AlwaysAllows_WhenTierHasNoLimits()
    {
        var limiter = new InMemoryRateLimiter(TimeProvider.System);
        var unlimited = TierLimits.Defaults()["unlimited"];
        Assert.All(Enumerable.Range(0, 10_000), _ => Assert.True(limiter.TryAcquire("k", RequestKind.Create, unlimited).Allowed));
    }
}
