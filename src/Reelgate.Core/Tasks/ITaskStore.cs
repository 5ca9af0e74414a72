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
}
