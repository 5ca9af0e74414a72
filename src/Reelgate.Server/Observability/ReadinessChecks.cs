using Reelgate.Core.Results;
using Reelgate.Data;
using Reelgate.Server.Api;
using Reelgate.Server.Workers;

namespace Reelgate.Server.Observability;

/// <summary>
/// What <c>GET /readyz</c> checks, all at once, each within <see cref="CheckTimeout"/> so the
/// answer comes in about that time even when a dependency hangs: the database answers a trivial
/// read, at least one engine can run here, and the result store takes writes. Details say what
/// failed in a few words (the exception's kind, never its message, which may name hosts or
/// paths: the endpoint has no authentication); the log has the message.
/// </summary>
public sealed partial class ReadinessChecks(
    IReelgateDatabase database,
    EngineRegistry engines,
    IResultStore results,
    TimeProvider time,
    ILogger<ReadinessChecks> log)
{
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(2);

    public async Task<ReadinessData> RunAsync(CancellationToken ct)
    {
        var db = CheckAsync("database", async c =>
        {
            await database.PingAsync(c);
            return (true, "reachable");
        }, ct);
        var engine = CheckAsync("engines", _ => Task.FromResult(Engines()), ct);
        var store = CheckAsync("results", async c =>
        {
            await results.ProbeAsync(c);
            return (true, "writable");
        }, ct);
        var checks = new Dictionary<string, ReadinessCheckData>(StringComparer.Ordinal)
        {
            ["database"] = await db,
            ["engines"] = await engine,
            ["results"] = await store,
        };
        return new ReadinessData(checks.Values.All(c => c.Ok) ? "ready" : "not_ready", checks);
    }

    /// <summary>Ready when any engine can run: the built-in renderer's check finds ffmpeg; upstream engines report being configured.</summary>
    private (bool Ok, string Detail) Engines()
    {
        var health = engines.All.Select(e => (e.Name, Health: e.CheckHealth())).ToList();
        var available = health.Where(h => h.Health.Available).Select(h => h.Name).ToList();
        return available.Count > 0
            ? (true, "available: " + string.Join(", ", available))
            : (false, "no engine available: " + string.Join("; ", health.Select(h => h.Name + ": " + h.Health.Detail)));
    }

    private async Task<ReadinessCheckData> CheckAsync(string name, Func<CancellationToken, Task<(bool Ok, string Detail)>> probe, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        using var timeout = new CancellationTokenSource(CheckTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            // Task.Run: a probe that blocks (a first ffmpeg -version, a stuck file system) cannot hold up the others.
            var (ok, detail) = await Task.Run(() => probe(linked.Token), CancellationToken.None).WaitAsync(CheckTimeout, time, ct);
            if (!ok)
            {
                LogCheckFailed(name, detail);
            }

            return new ReadinessCheckData(ok, detail, Elapsed(started));
        }
        catch (Exception e) when ((e is TimeoutException || e is OperationCanceledException) && !ct.IsCancellationRequested)
        {
            LogCheckFailed(name, $"no answer within {CheckTimeout.TotalSeconds:0} s");
            return new ReadinessCheckData(false, $"no answer within {CheckTimeout.TotalSeconds:0} s", Elapsed(started));
        }
        catch (Exception e) when (e is not OutOfMemoryException && e is not OperationCanceledException)
        {
            LogCheckFailed(name, e.GetType().Name + ": " + e.Message);
            return new ReadinessCheckData(false, "failed (" + e.GetType().Name + ")", Elapsed(started));
        }
    }

    private long Elapsed(long started) => (long)time.GetElapsedTime(started).TotalMilliseconds;

    [LoggerMessage(Level = LogLevel.Warning, Message = "readiness: {Check} check failed: {Detail}")]
    private partial void LogCheckFailed(string check, string detail);
}
