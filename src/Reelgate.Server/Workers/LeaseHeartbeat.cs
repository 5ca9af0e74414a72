using Reelgate.Core.Tasks;

namespace Reelgate.Server.Workers;

/// <summary>
/// Keeps a claim's lease while its engine runs: renews it every third of its length, and writes
/// progress at most once a second while it changes. A renewal that finds the lease gone cancels
/// the claim's <see cref="ClaimRun.LeaseLost"/>, which stops the engine: another worker owns
/// the task now. Logs under the processor's category.
/// </summary>
internal sealed partial class LeaseHeartbeat(ITaskQueue queue, Events.TaskEventHub events, TimeProvider time, TimeSpan lease, ILogger log)
{
    /// <summary>Beats until <see cref="ClaimRun.Token"/> is cancelled (the run ended) or the lease is found lost.</summary>
    public async Task RunAsync(ClaimRun run)
    {
        var task = run.Task;
        var renewEvery = lease / 3;
        var lastRenew = time.GetTimestamp();
        var lastProgress = 0;
        try
        {
            while (!run.Token.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, run.Token);
                var current = run.Progress.Value;
                if (current == lastProgress && time.GetElapsedTime(lastRenew) < renewEvery)
                {
                    continue;
                }

                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                if (!await queue.HeartbeatAsync(task.TaskId, run.LeaseToken, now, lease, current, run.Token))
                {
                    LogLeaseLost(log, task.TaskId);
                    await run.LeaseLost.CancelAsync();
                    return;
                }

                if (current != lastProgress)
                {
                    events.Publish(task.AccountId, task.TaskId, TaskState.Waiting, current, null, now);
                }

                lastRenew = time.GetTimestamp();
                lastProgress = current;
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId}: lease lost; another attempt owns the task, this one records nothing")]
    private static partial void LogLeaseLost(ILogger log, string taskId);
}
