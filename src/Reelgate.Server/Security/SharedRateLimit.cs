using System.Runtime.CompilerServices;
using Reelgate.Core.Limits;
using Reelgate.Data.Redis;

namespace Reelgate.Server.Security;

/// <summary>
/// The Redis connection behind the shared rate limit (<c>ConnectionStrings:Redis</c>), connected
/// on first use. Redis client types appear only inside this class's non-inlined methods and the
/// connection is held as <see cref="object"/>: the JIT loads an assembly when it compiles a method
/// that names one of its types, so a server without Redis (the default) never loads or maps the
/// client library (idle RSS).
/// </summary>
public sealed class SharedRateLimit(IConfiguration configuration) : IDisposable
{
    private readonly Lock _gate = new();

    /// <summary>The <c>StackExchange.Redis.IConnectionMultiplexer</c>, once connected; typed as object (see above).</summary>
    private object? _connection;

    /// <summary>True when Redis is reachable now; connects on the first call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool IsConnected() => Connection().IsConnected;

    /// <summary>The limiter that counts in the shared Redis.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public IRateLimiter CreateLimiter(IServiceProvider services, bool failClosed) => new RedisRateLimiter(
        Connection(),
        failClosed,
        services.GetRequiredService<ILogger<RedisRateLimiter>>(),
        meters: services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

    [MethodImpl(MethodImplOptions.NoInlining)]
    private StackExchange.Redis.IConnectionMultiplexer Connection()
    {
        lock (_gate)
        {
            _connection ??= StackExchange.Redis.ConnectionMultiplexer.Connect(ReelgateHost.RedisOptions(configuration.GetConnectionString("Redis")!));
            return (StackExchange.Redis.IConnectionMultiplexer)_connection;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            (_connection as IDisposable)?.Dispose();
            _connection = null;
        }
    }
}
