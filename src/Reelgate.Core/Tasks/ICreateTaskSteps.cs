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
    /// Inserts the task and appends its <c>charge</c> ledger row (which moves the balance) when the
    /// balance covers the cost; false, having written nothing, when it does not.
    /// </summary>
    Task<bool> InsertChargedAsync(NewTask task, CancellationToken ct);
}
