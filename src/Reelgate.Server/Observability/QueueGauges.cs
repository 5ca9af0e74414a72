using System.Diagnostics.Metrics;
using Reelgate.Core.Tasks;

namespace Reelgate.Server.Observability;

/// <summary>
/// The queue-depth gauges (<c>reelgate.queue.depth</c> by state, <c>reelgate.queue.oldest_age</c>),
/// read from the database at most once every <see cref="CacheFor"/> whoever asks, so scrapes,
/// however frequent and from however many scrapers, never hammer it. A scrape of <c>/metrics</c>
/// refreshes a stale value before it is read (<see cref="RefreshIfStaleAsync"/>); a periodic
/// OTLP export reads what is cached and starts a refresh in the background. A read that fails
/// or takes longer than <see cref="ReadTimeout"/> leaves the gauges empty (absent in the scrape)
/// rather than wrong. Every node reports the same cluster-wide numbers: aggregate with max().
/// </summary>
public sealed partial class QueueGauges
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(2);

    private readonly ITaskQueue _queue;
    private readonly TimeProvider _time;
    private readonly ILogger<QueueGauges> _log;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private volatile Reading? _last;

    public QueueGauges(ReelgateMetrics metrics, ITaskQueue queue, TimeProvider time, ILogger<QueueGauges> log)
    {
        _queue = queue;
        _time = time;
        _log = log;
        metrics.Meter.CreateObservableGauge("reelgate.queue.depth", ObserveDepth, "{task}",
            "Waiting tasks: queued (no worker holds them) and generating (a worker holds a live lease); cluster-wide, cached 5 s");
        metrics.Meter.CreateObservableGauge("reelgate.queue.oldest_age", ObserveOldestAge, "s",
            "Age of the oldest queued task, 0 when none is queued; cluster-wide, cached 5 s");
    }

    /// <summary>Reads the queue unless a read younger than <see cref="CacheFor"/> (or one under way) answers; never throws.</summary>
    public async Task RefreshIfStaleAsync(CancellationToken ct)
    {
        if (IsFresh(_last))
        {
            return;
        }

        try
        {
            // One read at a time; a caller that waited for another's read uses its result.
            if (!await _reading.WaitAsync(ReadTimeout, ct))
            {
                return;
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            if (IsFresh(_last))
            {
                return;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ReadTimeout);
            try
            {
                var stats = await _queue.StatsAsync(_time.GetUtcNow().ToUnixTimeMilliseconds(), timeout.Token).WaitAsync(ReadTimeout, _time, ct);
                _last = new Reading(stats, _time.GetTimestamp());
            }
            catch (Exception e) when (e is not OutOfMemoryException && !ct.IsCancellationRequested)
            {
                // Remembered as a failed read, so the next try waits CacheFor too.
                _last = new Reading(null, _time.GetTimestamp());
                LogReadFailed(e.GetType().Name);
            }
        }
        catch (OperationCanceledException)
        {
            // The scrape went away.
        }
        finally
        {
            _reading.Release();
        }
    }

    private bool IsFresh(Reading? r) => r is not null && _time.GetElapsedTime(r.At) < CacheFor;

    /// <summary>The cached numbers; a stale cache starts a refresh for the next reader.</summary>
    private QueueStats? Current()
    {
        var last = _last;
        if (!IsFresh(last))
        {
            _ = RefreshIfStaleAsync(CancellationToken.None);
        }

        return last?.Stats;
    }

    private IEnumerable<Measurement<long>> ObserveDepth()
    {
        if (Current() is not { } stats)
        {
            return [];
        }

        return
        [
            new Measurement<long>(stats.Queued, new KeyValuePair<string, object?>("state", "queued")),
            new Measurement<long>(stats.Generating, new KeyValuePair<string, object?>("state", "generating")),
        ];
    }

    private IEnumerable<Measurement<double>> ObserveOldestAge()
    {
        if (Current() is not { } stats)
        {
            return [];
        }

        var age = stats.OldestQueuedCreateTime is { } created ? Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds() - created) / 1000.0 : 0;
        return [new Measurement<double>(age)];
    }

    private sealed record Reading(QueueStats? Stats, long At);

    [LoggerMessage(Level = LogLevel.Warning, Message = "queue gauges: reading the queue failed ({Error}); the gauges are left out until a read succeeds")]
    private partial void LogReadFailed(string error);
}
