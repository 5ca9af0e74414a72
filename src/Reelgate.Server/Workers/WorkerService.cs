using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Reelgate.Core.Tasks;
using Reelgate.Server.Options;

namespace Reelgate.Server.Workers;

/// <summary>
/// One dispatcher per node with <see cref="ReelgateOptions.Workers"/> worker slots. When woken
/// (a <see cref="QueueSignal"/> pulse, the next lease expiry, or the fallback poll) with k idle
/// slots, it claims up to k tasks in one statement (<see cref="ITaskQueue.ClaimManyAsync"/>) and
/// runs each on a free slot through <see cref="TaskProcessor"/>. When the claim filled every idle
/// slot the queue may hold more, so it claims again as soon as a slot frees, without waiting for a
/// signal; when it took fewer, the queue is empty and it sleeps on the signal. With no idle slot
/// it never claims: a wake-up (an in-process pulse, a NOTIFY from another node) costs a busy node
/// no query, and the pulses pending when it next claims are dropped, that claim answering them all.
/// <para>
/// Graceful shutdown (SIGTERM, Ctrl+C): the dispatcher stops claiming at once; running generations
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
        return DrainAsync(DispatchAsync(_options.EffectiveWorkers, stoppingToken, hardStop.Token), registration, hardStop);
    }

    private static async Task DrainAsync(Task dispatcher, CancellationTokenRegistration registration, CancellationTokenSource hardStop)
    {
        try
        {
            await dispatcher;
        }
        finally
        {
            await registration.DisposeAsync();
            hardStop.Dispose();
        }
    }

    /// <summary>The claim loop; returns once claiming has stopped and every slot's run has ended (finished or released).</summary>
    private async Task DispatchAsync(int slots, CancellationToken stoppingToken, CancellationToken hardStop)
    {
        await Task.Yield();
        var idle = new Stack<int>(Enumerable.Range(1, slots).Reverse());
        var freed = Channel.CreateUnbounded<int>();
        var runs = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (freed.Reader.TryRead(out var slot))
                {
                    idle.Push(slot);
                }

                runs.RemoveAll(r => r.IsCompleted);
                if (idle.Count == 0)
                {
                    // Every slot busy: no claim until one frees, whatever wakes us meanwhile.
                    idle.Push(await freed.Reader.ReadAsync(stoppingToken));
                    continue;
                }

                var wanted = idle.Count;
                signal.Drain();
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                var claimStarted = time.GetTimestamp();
                var claimed = await queue.ClaimManyAsync(_node, now, _options.Lease, _options.MaxAttempts, wanted, stoppingToken);
                if (claimed.Count > 0)
                {
                    metrics.TasksClaimed(claimed.Count);
                    var took = time.GetElapsedTime(claimStarted);
                    for (var i = 0; i < claimed.Count; i++)
                    {
                        metrics.TaskStage("claim", took);
                    }
                }

                foreach (var task in claimed)
                {
                    if (task.Attempt == 1)
                    {
                        // Only first claims: a re-claim's wait includes the lost attempt's run.
                        metrics.TaskPickedUp(TimeSpan.FromMilliseconds(now - task.Task.CreateTime));
                    }

                    runs.Add(RunSlotAsync(idle.Pop(), task, freed.Writer, stoppingToken, hardStop));
                }

                if (claimed.Count == wanted)
                {
                    continue; // the queue may hold more: claim again as soon as a slot is idle
                }

                await signal.WaitAsync(await IdleWaitAsync(stoppingToken), time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Broken infrastructure (database busy, disk): nothing was claimed, or the claimed
                // tasks' leases expire and they are claimed again; back off briefly so a
                // persistent fault does not spin.
                LogLoopError(_node, e.GetType().Name, e.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        // Stopped claiming; the running generations finish within the grace, or are cancelled
        // at hardStop and their tasks released by the processor.
        await Task.WhenAll(runs);
    }

    /// <summary>One slot's run of one claimed task; the slot is handed back when it ends.</summary>
    private async Task RunSlotAsync(int slot, ClaimedTask claimed, ChannelWriter<int> freed, CancellationToken stoppingToken, CancellationToken hardStop)
    {
        await Task.Yield();
        try
        {
            await processor.ProcessAsync(claimed, hardStop);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: the processor released what it could; a lease left behind expires (at least once).
        }
        catch (Exception e)
        {
            // As above: the task's lease expires and it is claimed again; the slot rests a moment.
            LogLoopError($"{_node}:{slot}", e.GetType().Name, e.Message);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                // Shutting down: the slot is not needed again.
            }
        }
        finally
        {
            freed.TryWrite(slot);
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
