namespace Reelgate.Core.Tasks;

/// <summary>
/// One backend's SQL for the steps of the create transaction, all run inside one transaction that
/// <see cref="CreateTransaction"/> drives, so the order of the checks is stated once for every
/// backend while each keeps its own SQL and locking.
/// </summary>
public interface ICreateTaskSteps
{
    /// <summary>
    /// Takes what the backend needs so that racing creates of the same key see each other's
    /// commits in the steps below (a row lock on PostgreSQL; nothing under SQLite's single writer).
    /// </summary>
    Task LockKeyAsync(NewTask task, CancellationToken ct);

    /// <summary>The task the key created earlier with this request id, and that request's body hash; null when none.</summary>
    Task<(string TaskId, string? RequestHash)?> FindRequestAsync(string keyId, string requestId, CancellationToken ct);

    /// <summary>How many of the key's tasks are <c>waiting</c>.</summary>
    Task<long> CountWaitingAsync(string keyId, CancellationToken ct);

    /// <summary>
    /// The credits the key may still spend in its credit period at <see cref="NewTask.Now"/>
    /// (its limit less what its tasks created in the period cost, refunds given back), read from
    /// the key row inside the transaction; null when the key has no credit limit.
    /// </summary>
    Task<long?> KeyRoomAsync(NewTask task, CancellationToken ct);

    /// <summary>
    /// Inserts the task and appends its <c>charge</c> ledger row (which moves the balance) when the
    /// balance covers the cost; false, having written nothing, when it does not.
    /// </summary>
    Task<bool> InsertChargedAsync(NewTask task, CancellationToken ct);
}
