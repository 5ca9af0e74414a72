using Reelgate.Core.Engines;
using Reelgate.Core.Tasks;

namespace Reelgate.Server.Workers;

/// <summary>What becomes of an attempt whose run lost its lease (<see cref="TaskProcessor"/>'s abandon step).</summary>
internal sealed partial class AbandonedAttempts(ITaskStore store, IEngineAttempts attempts, Observability.ReelgateMetrics metrics, TimeProvider time, ILogger log)
{
    /// <summary>
    /// The lease was lost while an attempt ran. If the task has ended meanwhile (the client
    /// cancelled it), nobody will resume the attempt: its upstream task is cancelled (best
    /// effort) and the attempt is ended. If the task still waits, another claim resumes it.
    /// </summary>
    public async Task EndAsync(string taskId, AttemptJournal attempt, IVideoEngine? engine)
    {
        try
        {
            var now = await store.GetAsync(taskId, CancellationToken.None);
            if (now is null || now.State == TaskState.Waiting)
            {
                return;
            }

            if (attempt.UpstreamId is { } upstreamId && engine is IUpstreamEngine upstream)
            {
                using var cancelTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await upstream.CancelUpstreamAsync(upstreamId, cancelTimeout.Token);
            }

            await attempts.EndAsync(attempt.Id, AttemptOutcomes.Failed, now.FailCode, "the task ended while this attempt ran (" + (now.FailCode ?? now.State) + ")", attempt.Usage, time.GetUtcNow().ToUnixTimeMilliseconds(), CancellationToken.None);
            metrics.AttemptEnded(engine?.Name ?? "unknown", AttemptOutcomes.Failed, now.FailCode);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogAttemptEndFailed(taskId, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId}: ending the abandoned attempt failed ({Error})")]
    private partial void LogAttemptEndFailed(string taskId, string error);
}
