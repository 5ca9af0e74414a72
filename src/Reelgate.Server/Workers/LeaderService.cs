using Microsoft.Extensions.Options;
using Reelgate.Core.Leadership;
using Reelgate.Core.Tasks;
using Reelgate.Server.Options;

namespace Reelgate.Server.Workers;

/// <summary>
/// Periodic jobs that must run once across all nodes, on whichever node holds the database lease
/// <c>maintenance</c> (renewed every <see cref="ReelgateOptions.SweepInterval"/>, valid for three of
/// them, so a dead leader is replaced within that time). Today's job: the expired-lease sweep
/// (<see cref="ITaskQueue.ReleaseExpiredAsync"/>), which puts tasks of dead workers back in the
/// queue and fails, with a refund, those that exhausted their attempts, even if no worker is left.
/// </summary>
public sealed partial class LeaderService(
    ILeaderLease leases,
    ITaskQueue queue,
    Observability.ReelgateMetrics metrics,
    TimeProvider time,
    IOptions<ReelgateOptions> options,
    ILogger<LeaderService> log) : BackgroundService
{
    public const string LeaseName = "maintenance";
    private readonly string _holder = Environment.MachineName + ":" + Environment.ProcessId + ":" + Guid.NewGuid().ToString("N")[..8];
    private bool _leading;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.SweepInterval;
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
                    metrics.TasksSwept(swept.Failed);
                    if (swept.Requeued + swept.Failed > 0)
                    {
                        LogSwept(swept.Requeued, swept.Failed);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "periodic jobs (expired-lease sweep): {Who} them")]
    private partial void LogLeadership(string who);

    [LoggerMessage(Level = LogLevel.Warning, Message = "expired-lease sweep: {Requeued} task(s) of lost workers back in the queue, {Failed} failed and refunded after too many attempts")]
    private partial void LogSwept(int requeued, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "periodic jobs: {Error}: {Message}")]
    private partial void LogFailed(string error, string message);
}
