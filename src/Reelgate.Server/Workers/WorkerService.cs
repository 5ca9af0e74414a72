using Microsoft.Extensions.Options;
using Reelgate.Core.Tasks;
using Reelgate.Server.Options;

namespace Reelgate.Server.Workers;

/// <summary>
/// Runs <see cref="ReelgateOptions.Workers"/> worker loops. Each claims the oldest waiting
/// task, runs it through <see cref="TaskProcessor"/>, and when the queue is empty sleeps until
/// a <see cref="QueueSignal"/> pulse, the next lease expiry, or the fallback poll, whichever
/// comes first (no busy polling).
/// <para>
/// Graceful shutdown (SIGTERM, Ctrl+C): the loops stop claiming at once; running generations
/// may finish for <see cref="ReelgateOptions.ShutdownGrace"/>; then the rest are cancelled and
/// their tasks released to the queue (no lease to wait out, the claim not counted), so another
/// node re-runs them. Nothing is charged again: the charge was taken once at create.
/// </para>
/// </summary>
public sealed partial class WorkerService(
    ITaskQueue queue,
    TaskProcessor processor,
    QueueSignal signal,
    Observability.ReelgateMetrics metrics,
    TimeProvider time,
    IOptions<ReelgateOptions> options,
    ILogger<WorkerService> log) : BackgroundService
{
    private readonly ReelgateOptions _options = options.Value;
    private readonly string _node = Environment.MachineName + ":" + Environment.ProcessId;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.EffectiveWorkers == 0)
        {
            LogNoWorkers();
            return Task.CompletedTask;
        }

        processor.Work.DeleteLeftovers();
        var hardStop = new CancellationTokenSource();
        var grace = _options.ShutdownGrace;
        var registration = stoppingToken.Register(() =>
        {
            LogDraining(grace.TotalSeconds);
            hardStop.CancelAfter(grace);
        });
        var loops = Enumerable.Range(1, _options.EffectiveWorkers).Select(i => RunLoopAsync($"{_node}:{i}", stoppingToken, hardStop.Token));
        return DrainAsync(Task.WhenAll(loops), registration, hardStop);
    }

    private static async Task DrainAsync(Task loops, CancellationTokenRegistration registration, CancellationTokenSource hardStop)
    {
        try
        {
            await loops;
        }
        finally
        {
            await registration.DisposeAsync();
            hardStop.Dispose();
        }
    }

    private async Task RunLoopAsync(string workerId, CancellationToken stoppingToken, CancellationToken hardStop)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                var claimed = await queue.ClaimAsync(workerId, now, _options.Lease, _options.MaxAttempts, stoppingToken);
                if (claimed is not null)
                {
                    if (claimed.Attempt == 1)
                    {
                        // Only first claims: a re-claim's wait includes the lost attempt's run.
                        metrics.TaskPickedUp(TimeSpan.FromMilliseconds(now - claimed.Task.CreateTime));
                    }

                    await processor.ProcessAsync(claimed, hardStop);
                    continue;
                }

                await signal.WaitAsync(await IdleWaitAsync(stoppingToken), time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Broken infrastructure (database busy, disk): the task's lease expires and it is
                // claimed again; back off briefly so a persistent fault does not spin.
                LogLoopError(workerId, e.GetType().Name, e.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Sleep until the next lease expiry when one is due before the fallback poll.</summary>
    private async Task<TimeSpan> IdleWaitAsync(CancellationToken ct)
    {
        var wait = _options.FallbackPoll;
        if (await queue.NextLeaseExpiryAsync(ct) is { } expiry)
        {
            var untilExpiry = TimeSpan.FromMilliseconds(expiry - time.GetUtcNow().ToUnixTimeMilliseconds() + 10);
            if (untilExpiry < wait)
            {
                wait = untilExpiry < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : untilExpiry;
            }
        }

        return wait;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "shutting down: no new claims; running generations have {Seconds} s to finish, then their tasks go back to the queue")]
    private partial void LogDraining(double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "no workers on this node (Reelgate:Workers is 0 or the role is api): it accepts and serves tasks but generates none")]
    private partial void LogNoWorkers();

    [LoggerMessage(Level = LogLevel.Error, Message = "worker {WorkerId}: {Error}: {Message}")]
    private partial void LogLoopError(string workerId, string error, string message);
}
