namespace Reelgate.Core.Tasks;

/// <summary>
/// The API side of task storage: create (one transaction that checks idempotency, the
/// active-task limit and the balance, inserts the task and debits the cost in the ledger)
/// and read.
/// </summary>
public interface ITaskStore
{
    /// <summary>
    /// Runs the create transaction. Invariant: the task row, the ledger <c>charge</c> entry and
    /// the balance change commit together or not at all, and are durable when this returns.
    /// </summary>
    Task<CreateTaskOutcome> CreateAsync(NewTask task, CancellationToken ct);

    Task<TaskRecord?> GetAsync(string taskId, CancellationToken ct);

    /// <summary>
    /// Where a waiting task that has not started yet stands in the claim order (1 = the next claim
    /// takes it): the waiting, claimable tasks created before it (create time, then id, as claims
    /// take them) plus one. Null for a task that is claimed, has started, or is not waiting.
    /// </summary>
    Task<int?> QueuePositionAsync(string taskId, long now, CancellationToken ct);

    /// <summary>
    /// One page of an account's tasks, newest first, or oldest first when <paramref name="oldestFirst"/>
    /// (keyset on create time and id: stable while new tasks arrive). <paramref name="after"/> is
    /// the last task of the previous page.
    /// </summary>
    Task<IReadOnlyList<TaskRecord>> ListAsync(string accountId, string? state, string? model, TaskCursor? after, int limit, CancellationToken ct, bool oldestFirst = false);

    /// <summary>
    /// Cancels a waiting task of the account: it ends in <c>fail</c> with <c>cancelled</c> and a
    /// full refund, in one transaction, whether it is queued or generating (a generating worker
    /// then finds its lease gone and stops, recording nothing).
    /// </summary>
    Task<CancelOutcome> CancelAsync(string taskId, string accountId, long now, CancellationToken ct);

    /// <summary>Successful tasks completed before <paramref name="completedBefore"/> whose files still exist, oldest first.</summary>
    Task<IReadOnlyList<TaskRecord>> ListResultsToExpireAsync(long completedBefore, int limit, CancellationToken ct);

    /// <summary>Records that the task's result files were removed (once; false when already recorded or not a success).</summary>
    Task<bool> MarkResultsExpiredAsync(string taskId, long now, CancellationToken ct);
}
