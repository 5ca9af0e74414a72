namespace Reelgate.Core.Tasks;

/// <summary>A task a worker has claimed, with the lease token that fences its completion.</summary>
public sealed record ClaimedTask(TaskRecord Task, string LeaseToken, int Attempt)
{
    /// <summary>
    /// False only when the claim itself saw that no engine attempt of the task is still marked
    /// running (nothing to take over, so the worker skips looking); true when it did, or did not look.
    /// </summary>
    public bool HasRunningAttempts { get; init; } = true;
}
