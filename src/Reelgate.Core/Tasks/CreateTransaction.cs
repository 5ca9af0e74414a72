namespace Reelgate.Core.Tasks;

/// <summary>
/// The create transaction's rule, once for every backend: idempotency first (a retry of the same
/// request must return its task even when the key is now at its limit or the balance is spent),
/// then the active-task limit, then the key's credit limit (<see cref="Accounts.KeyLimits"/>), then credits; the task and its charge are written together or not
/// at all. The backend runs it inside one transaction, so racing creates see each other's commits.
/// </summary>
public static class CreateTransaction
{
    public static async Task<CreateTaskOutcome> RunAsync(NewTask task, ICreateTaskSteps steps, CancellationToken ct)
    {
        await steps.LockKeyAsync(task, ct);
        if (task.RequestId is not null && await steps.FindRequestAsync(task.KeyId, task.RequestId, ct) is { } earlier)
        {
            return earlier.RequestHash == task.RequestHash
                ? new CreateTaskOutcome(CreateTaskStatus.Replayed, earlier.TaskId)
                : new CreateTaskOutcome(CreateTaskStatus.RequestConflict, earlier.TaskId);
        }

        if (task.ActiveTaskLimit is { } limit && await steps.CountWaitingAsync(task.KeyId, ct) >= limit)
        {
            return new CreateTaskOutcome(CreateTaskStatus.ActiveTaskLimit, null);
        }

        if (await steps.KeyRoomAsync(task, ct) is { } room && room < task.Cost)
        {
            return new CreateTaskOutcome(CreateTaskStatus.KeyCreditLimit, null);
        }

        return await steps.InsertChargedAsync(task, ct)
            ? new CreateTaskOutcome(CreateTaskStatus.Created, task.TaskId)
            : new CreateTaskOutcome(CreateTaskStatus.InsufficientCredits, null);
    }
}
