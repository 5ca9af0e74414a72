using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Reelgate.Core.Limits;
using Reelgate.Data.Redis;
using StackExchange.Redis;
using Reelgate.Testing;

namespace Reelgate.Data.Tests;

/// <summary>The shared rate limiter against a real redis-server.</summary>
public sealed class RedisRateLimiterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Counting tests use long timeouts: a check that times out on a loaded machine fails open
    // and would be counted as allowed. The outage test uses the server's short ones.
    private static ConnectionMultiplexer Connect(RedisServer redis, int timeoutMs = 10_000) =>
        ConnectionMultiplexer.Connect(new ConfigurationOptions
        {
            EndPoints = { redis.Configuration },
            AbortOnConnectFail = false,
            ConnectTimeout = 2000,
            SyncTimeout = timeoutMs,
            AsyncTimeout = timeoutMs,
        });

    /// <summary>Waits until the clock is well inside a window, so a race does not straddle two windows.</summary>
    private static async Task AwayFromBoundaryAsync(int windowMs, int marginMs)
    {
        while (true)
        {
            var inWindow = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() % windowMs;
            if (inWindow > 50 && inWindow < windowMs - marginMs)
            {
                return;
            }

            await Task.Delay(20, Ct);
        }
    }

    [Fact]
    public async Task TheMinuteWindow_IsExact_AcrossTwoNodes_UnderARace()
    {
        using var redis = RedisServer.Start();
        using var a = Connect(redis);
        using var b = Connect(redis);
        var nodes = new[] { new RedisRateLimiter(a, false, new ListLogger<RedisRateLimiter>()), new RedisRateLimiter(b, false, new ListLogger<RedisRateLimiter>()) };
        var tier = new TierLimits { CreatePerSecond = 100_000, CreatePerMinute = 50 };
        await AwayFromBoundaryAsync(60_000, 10_000);

        var decisions = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => nodes[i % 2].TryAcquireAsync("key_race", RequestKind.Create, tier, Ct).AsTask()));

        Assert.Equal(50, decisions.Count(d => d.Allowed));
        Assert.All(decisions.Where(d => !d.Allowed), d => Assert.Equal((50, 60), (d.Limit, d.WindowSeconds)));
        // Reads and other keys have their own budgets.
        Assert.True((await nodes[0].TryAcquireAsync("key_race", RequestKind.Read, new TierLimits { ReadPerMinute = 1 }, Ct)).Allowed);
        Assert.True((await nodes[1].TryAcquireAsync("key_other", RequestKind.Create, tier, Ct)).Allowed);
    }

    [Fact]
    public async Task TheSecondWindow_Refuses_WithRetryAfter_AndRefusalsAreNotCounted()
    {
        using var redis = RedisServer.Start();
        using var mux = Connect(redis);
        var limiter = new RedisRateLimiter(mux, false, new ListLogger<RedisRateLimiter>());
        var tier = new TierLimits { ReadPerSecond = 3, ReadPerMinute = 5 };

        // The windows are Redis's clock (this machine's). On a loaded machine the calls can
        // straddle a window edge; such an attempt proves nothing and is run again on a fresh key.
        for (var attempt = 0; ; attempt++)
        {
            Assert.True(attempt < 8, "every attempt straddled a window edge");
            await AwayFromBoundaryAsync(1000, 500);
            var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (started % 60_000 > 50_000)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(60_000 - (started % 60_000) + 100), Ct);
                continue;
            }

            var key = "key_s" + attempt;
            var first = new List<RateLimitDecision>();
            for (var i = 0; i < 6; i++)
            {
                first.Add(await limiter.TryAcquireAsync(key, RequestKind.Read, tier, Ct));
            }

            if (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 != started / 1000)
            {
                continue;
            }

            Assert.Equal([true, true, true, false, false, false], first.Select(d => d.Allowed));
            Assert.Equal(new RateLimitDecision(false, 1, 3, 1), first[3]);

            // Next second: the three refusals did not use the minute budget (3 of 5 used so far).
            await Task.Delay(1100, Ct);
            var second = await limiter.TryAcquireAsync(key, RequestKind.Read, tier, Ct);
            var third = await limiter.TryAcquireAsync(key, RequestKind.Read, tier, Ct);
            var full = await limiter.TryAcquireAsync(key, RequestKind.Read, tier, Ct);
            if (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 != started / 60_000)
            {
                continue;
            }

            Assert.True(second.Allowed && third.Allowed);
            Assert.Equal((false, 5, 60), (full.Allowed, full.Limit, full.WindowSeconds));
            return;
        }
    }

    [Fact]
    public async Task RedisDown_FailsOpenWithAWarning_OrClosed_AndRecoversWhenItReturns()
    {
        using var redis = RedisServer.Start();
        using var mux = Connect(redis, timeoutMs: 500);
        var openLog = new ListLogger<RedisRateLimiter>();
        var open = new RedisRateLimiter(mux, false, openLog);
        var closed = new RedisRateLimiter(mux, true, new ListLogger<RedisRateLimiter>());
        var tier = new TierLimits { CreatePerMinute = 1 };
        Assert.True((await open.TryAcquireAsync("key_f", RequestKind.Create, tier, Ct)).Allowed);
        Assert.False((await open.TryAcquireAsync("key_f", RequestKind.Create, tier, Ct)).Allowed);

        redis.Kill();
        var watch = Stopwatch.StartNew();
        var whileDown = await open.TryAcquireAsync("key_f", RequestKind.Create, tier, Ct);
        Assert.True(whileDown.Allowed, "fail open lets the request through");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"a down Redis must not hang requests ({watch.Elapsed})");
        Assert.Contains(openLog.Messages, m => m.Contains("Redis unavailable, allowing requests (fail open)", StringComparison.Ordinal));
        Assert.Equal(RateLimitDecision.LimiterUnavailable, await closed.TryAcquireAsync("key_f", RequestKind.Create, tier, Ct));

        redis.Run(); // same port, empty (no persistence)
        var recovered = false;
        for (var i = 0; i < 100 && !recovered; i++)
        {
            await Task.Delay(100, Ct);
            recovered = (await closed.TryAcquireAsync("key_g", RequestKind.Create, tier, Ct)).Allowed;
        }

        Assert.True(recovered, "the limiter did not reconnect within 10 s");
        Assert.False((await closed.TryAcquireAsync("key_g", RequestKind.Create, tier, Ct)).Allowed); // counting again
    }

    private sealed class ListLogger<T> : ILogger<T>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages)
            {
                Messages.Add(formatter(state, exception));
            }
        }
    }
}
