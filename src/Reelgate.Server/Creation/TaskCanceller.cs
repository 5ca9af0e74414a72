using Reelgate.Core.Tasks;
using Reelgate.Server.Events;
using Reelgate.Server.Observability;
using Reelgate.Server.Workers;

namespace Reelgate.Server.Creation;

/// <summary>
/// The cancel use case, shared by the jobs API's cancel and OpenAI's delete: a waiting task
/// (queued or generating) of the account ends in fail with <c>cancelled</c> and a full refund, in
/// one store transaction; a generating engine on this node is stopped at once (on another node
/// its worker finds its lease gone at the next heartbeat and records nothing).
/// </summary>
public sealed class TaskCanceller(ITaskStore tasks, RunningTasks running, TaskEventHub events, ReelgateMetrics metrics, TimeProvider time)
{
    public async Task<CancelOutcome> CancelAsync(string taskId, string accountId, CancellationToken ct)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        // Read first for the metrics' model and cost label (the cancel itself decides ownership and state).
        var task = TaskIds.IsWellFormed(taskId) ? await tasks.GetAsync(taskId, ct) : null;
        var outcome = task is not null
            ? await tasks.CancelAsync(taskId, accountId, now, CancellationToken.None)
            : CancelOutcome.NotFound;
        if (outcome == CancelOutcome.Cancelled)
        {
            running.Stop(taskId);
            events.Publish(accountId, taskId, TaskState.Fail, 0, FailCodes.Cancelled, now);
            metrics.TaskEnded(task!.Model, TaskState.Fail, FailCodes.Cancelled, task.Cost); // a cancel refunds the whole cost
        }

        return outcome;
    }
}
