using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Reelgate.Core.Limits;
using StackExchange.Redis;

namespace Reelgate.Data.Redis;

/// <summary>
/// The rate limiter shared by every node: the same fixed windows as
/// <see cref="InMemoryRateLimiter"/> (each second, each minute, aligned to Redis's own clock so
/// nodes with skewed clocks agree), checked and counted by one Lua script, so both windows are
/// enforced atomically across nodes and a refused request is not counted. When Redis cannot be
/// asked (down, timeout), the limiter fails open with a logged warning (at most one per 10 s)
/// and the <c>reelgate.rate_limiter.unavailable</c> counter, or fails closed (the request gets
/// 503) when <paramref name="failClosed"/> is set. The counter is on the meter <c>Reelgate</c> of
/// <paramref name="meters"/> (the host's factory, so the host exports it), or of a meter of its own
/// when none is given.
/// </summary>
public sealed partial class RedisRateLimiter(IConnectionMultiplexer redis, bool failClosed, ILogger<RedisRateLimiter> log, string prefix = "rg", IMeterFactory? meters = null) : IRateLimiter
{
    private static readonly Meter StandaloneMeter = new("Reelgate");
    private readonly Counter<long> _unavailable = (meters?.Create("Reelgate") ?? StandaloneMeter)
        .CreateCounter<long>("reelgate.rate_limiter.unavailable", "{check}", "Rate-limit checks that could not reach Redis");

    // KEYS[1]: the key's prefix, with a hash tag so every window of a key lands on one cluster slot.
    // ARGV: per-second limit, per-minute limit (-1 = none). Returns {allowed, waitMs, limit, windowSeconds}.
    private const string Script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local sec = math.floor(now / 1000)
        local min = math.floor(now / 60000)
        local skey = KEYS[1] .. ':s:' .. sec
        local mkey = KEYS[1] .. ':m:' .. min
        local ps = tonumber(ARGV[1])
        local pm = tonumber(ARGV[2])
        local sc = tonumber(redis.call('GET', skey) or '0')
        local mc = tonumber(redis.call('GET', mkey) or '0')
        if pm >= 0 and mc >= pm then return {0, (min + 1) * 60000 - now, pm, 60} end
        if ps >= 0 and sc >= ps then return {0, (sec + 1) * 1000 - now, ps, 1} end
        if ps >= 0 then redis.call('INCR', skey); redis.call('PEXPIRE', skey, 2000) end
        if pm >= 0 then redis.call('INCR', mkey); redis.call('PEXPIRE', mkey, 61000) end
        return {1, 0, 0, 0}
        """;

    private long _lastWarning;
    private volatile byte[]? _hash;

    public async ValueTask<RateLimitDecision> TryAcquireAsync(string keyId, RequestKind kind, TierLimits tier, CancellationToken ct)
    {
        var (perSecond, perMinute) = kind == RequestKind.Create
            ? (tier.CreatePerSecond, tier.CreatePerMinute)
            : (tier.ReadPerSecond, tier.ReadPerMinute);
        if (perSecond is null && perMinute is null)
        {
            return RateLimitDecision.Allow;
        }

        var key = $"{prefix}:rl:{{{keyId}:{(kind == RequestKind.Create ? "c" : "r")}}}";
        try
        {
            var result = await EvaluateAsync(key, perSecond ?? -1, perMinute ?? -1);
            if (result.Resp2Type != ResultType.Array || result.Length != 4)
            {
                throw new RedisException($"rate-limit script answered {result.Resp2Type} instead of a 4-element array");
            }

            if ((long)result[0] == 1)
            {
                return RateLimitDecision.Allow;
            }

            var waitMs = (long)result[1];
            return new RateLimitDecision(false, (int)Math.Max(1, (waitMs + 999) / 1000), (int)(long)result[2], (int)(long)result[3]);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Whatever went wrong asking Redis (down, timeout, a reply of the wrong shape), the
            // request gets the configured answer, never a 500.
            _unavailable.Add(1);
            var now = Environment.TickCount64;
            var last = Interlocked.Read(ref _lastWarning);
            if (now - last > 10_000 && Interlocked.CompareExchange(ref _lastWarning, now, last) == last)
            {
                LogUnavailable(failClosed ? "refusing requests (fail closed)" : "allowing requests (fail open)", e.GetType().FullName ?? e.GetType().Name, e.Message);
            }

            return failClosed ? RateLimitDecision.LimiterUnavailable : RateLimitDecision.Allow;
        }
    }

    /// <summary>
    /// EVALSHA of the script, loaded once per process (SCRIPT LOAD); the full text when the
    /// serving node has not seen it (NOSCRIPT after a restart, SCRIPT FLUSH or another shard).
    /// </summary>
    private async Task<RedisResult> EvaluateAsync(string key, long perSecond, long perMinute)
    {
        var db = redis.GetDatabase();
        RedisKey[] keys = [key];
        RedisValue[] values = [perSecond, perMinute];
        var hash = _hash ?? await LoadAsync();
        try
        {
            return await db.ScriptEvaluateAsync(hash, keys, values);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // The node serving this key (a restarted server, another cluster shard) lacks it:
            // send the text, which loads it there.
            return await db.ScriptEvaluateAsync(Script, keys, values);
        }
    }

    private async Task<byte[]> LoadAsync()
    {
        var server = redis.GetServers().FirstOrDefault(s => s.IsConnected) ?? throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "no Redis server is connected");
        var hash = await server.ScriptLoadAsync(Script);
        _hash = hash;
        return hash;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "rate limiter: Redis unavailable, {Mode}: {Error}: {Message}")]
    private partial void LogUnavailable(string mode, string error, string message);
}
