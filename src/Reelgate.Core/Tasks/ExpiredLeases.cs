namespace Reelgate.Core.Tasks;

/// <summary>
/// What one sweep of expired leases did: tasks put back in the queue, and the tasks it failed
/// (and refunded) after too many attempts, with their model and refunded cost for the metrics.
/// </summary>
public readonly record struct ExpiredLeases(int Requeued, IReadOnlyList<SweptTask> FailedTasks)
{
    public int Failed => FailedTasks.Count;
}

/// <summary>A task the sweep failed with <c>internal_error</c>; <see cref="Cost"/> was refunded.</summary>
public sealed record SweptTask(string TaskId, string Model, long Cost);
