using Microsoft.Extensions.Options;
using Reelgate.Core.Leadership;
using Reelgate.Core.Results;
using Reelgate.Core.Tasks;
using Reelgate.Server.Options;

namespace Reelgate.Server.Workers;

/// <summary>
/// Periodic jobs that must run once across all nodes, on whichever node holds the database lease
/// <c>maintenance</c> (renewed every <see cref="ReelgateOptions.SweepInterval"/>, valid for three of
/// them, so a dead leader is replaced within that time). Today's job: the expired-lease sweep
/// (<see cref="ITaskQueue.ReleaseExpiredAsync"/>), which puts tasks of dead workers back in the
/// queue and fails, with a refund, those that exhausted their attempts, even if no worker is left;
/// and, every <see cref="ReelgateOptions.RetentionSweepInterval"/>, the retention sweep, which
/// removes the files of results older than <see cref="ReelgateOptions.ResultRetention"/> (files
/// first, then the mark, so a crash between the two only repeats an idempotent delete) and deletes
/// uploads past <see cref="ReelgateOptions.UploadRetention"/> (bytes first, then the row).
/// </summary>
public sealed partial class LeaderService(
    ILeaderLease leases,
    ITaskQueue queue,
    ITaskStore tasks,
    Reelgate.Core.Results.IResultStore results,
    Reelgate.Core.Uploads.IUploadStore uploads,
    Observability.ReelgateMetrics metrics,
    TimeProvider time,
    IOptions<ReelgateOptions> options,
    ILogger<LeaderService> log) : BackgroundService
{
    public const string LeaseName = "maintenance";
    private readonly string _holder = Environment.MachineName + ":" + Environment.ProcessId + ":" + Guid.NewGuid().ToString("N")[..8];
    private readonly TaskOutputFiles _files = new(results, log, options.Value.FfmpegPath);
    private bool _leading;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.SweepInterval;
        long lastRetention = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                var leading = await leases.TryAcquireAsync(LeaseName, _holder, now, interval * 3, stoppingToken);
                if (leading != _leading)
                {
                    _leading = leading;
                    LogLeadership(leading ? "this node now runs" : "another node runs");
                }

                if (leading)
                {
                    var swept = await queue.ReleaseExpiredAsync(now, options.Value.MaxAttempts, stoppingToken);
                    metrics.TasksSwept(swept.FailedTasks);
                    foreach (var failed in swept.FailedTasks)
                    {
                        await _files.DeleteInputsIfFailedAsync(tasks, failed.TaskId);
                    }

                    if (swept.Requeued + swept.Failed > 0)
                    {
                        LogSwept(swept.Requeued, swept.Failed);
                    }

                    if (now - lastRetention >= options.Value.RetentionSweepInterval.TotalMilliseconds)
                    {
                        lastRetention = now;
                        if (options.Value.ResultRetention > TimeSpan.Zero)
                        {
                            var expired = await ExpireResultsAsync(now, stoppingToken);
                            if (expired > 0)
                            {
                                LogExpired(expired, options.Value.ResultRetention.TotalDays);
                            }
                        }

                        var uploadsGone = await ExpireUploadsAsync(time.GetUtcNow(), stoppingToken);
                        if (uploadsGone > 0)
                        {
                            LogUploadsExpired(uploadsGone);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The database is away: try again next round; the lease lapses if it stays away.
                LogFailed(e.GetType().Name, e.Message);
            }

            try
            {
                await Task.Delay(interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        if (_leading)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await leases.ReleaseAsync(LeaseName, _holder, cts.Token);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogFailed(e.GetType().Name, e.Message); // it expires by itself
            }
        }
    }

    /// <summary>Removes the files of results past retention (<see cref="TaskFiles.AllKeys"/>), in batches; returns how many tasks' files went.</summary>
    private async Task<int> ExpireResultsAsync(long now, CancellationToken ct)
    {
        var before = now - (long)options.Value.ResultRetention.TotalMilliseconds;
        var count = 0;
        while (!ct.IsCancellationRequested)
        {
            var batch = await tasks.ListResultsToExpireAsync(before, 200, ct);
            foreach (var t in batch)
            {
                if (await ResultFileRemoval.RemoveAsync(results, tasks, t, now, ct))
                {
                    count++;
                }
            }

            if (batch.Count < 200)
            {
                break;
            }
        }

        return count;
    }

    /// <summary>
    /// Deletes uploads past their <c>ExpiresAt</c> (<see cref="ReelgateOptions.UploadRetention"/>),
    /// in batches: bytes first, then the row, so a crash between the two leaves a row whose
    /// delete is repeated, never bytes without a row.
    /// </summary>
    private async Task<int> ExpireUploadsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var count = 0;
        while (!ct.IsCancellationRequested)
        {
            var batch = await uploads.ExpiredAsync(now, 200, ct);
            foreach (var file in batch)
            {
                await results.DeleteAsync(file.Key, ct);
                await uploads.DeleteAsync(file.FileId, ct);
                count++;
            }

            if (batch.Count < 200)
            {
                break;
            }
        }

        return count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "retention: deleted {Count} expired upload(s)")]
    private partial void LogUploadsExpired(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "retention: removed the result files of {Count} task(s) older than {Days} day(s); their records stay")]
    private partial void LogExpired(int count, double days);

    [LoggerMessage(Level = LogLevel.Information, Message = "periodic jobs (expired-lease sweep, retention): {Who} them")]
    private partial void LogLeadership(string who);

    [LoggerMessage(Level = LogLevel.Warning, Message = "expired-lease sweep: {Requeued} task(s) of lost workers back in the queue, {Failed} failed and refunded after too many attempts")]
    private partial void LogSwept(int requeued, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "periodic jobs: {Error}: {Message}")]
    private partial void LogFailed(string error, string message);
}
