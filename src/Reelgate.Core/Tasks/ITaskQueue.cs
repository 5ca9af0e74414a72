namespace Reelgate.Core.Tasks;

/// <summary>
/// The worker side of task storage: claim with a lease, heartbeat, end exactly once.
/// Delivery is at least once (a task whose worker dies is claimed again once its lease has
/// expired), and ending is exactly once: <see cref="SucceedAsync"/> and
/// <see cref="FailAsync"/> only act on a task still <c>waiting</c> whose lease token matches,
/// so a late finisher of an abandoned attempt changes nothing and charges nothing.
/// Every time-dependent call takes "now" so tests control time.
/// </summary>
public interface ITaskQueue
{
    /// <summary>
    /// Claims up to <paramref name="max"/> waiting tasks, oldest first (by create time, then id),
    /// each queued or with a lease expired before <paramref name="now"/>, for a dispatcher that has
    /// <paramref name="max"/> idle worker slots. Each claimed task gets its own fresh lease token,
    /// <paramref name="workerId"/>, a lease until <paramref name="now"/> + <paramref name="lease"/>,
    /// and one more attempt. A task held by a live lease, or being claimed by a concurrent caller,
    /// is skipped, never waited on and never handed to two callers. A candidate already attempted
    /// <paramref name="maxAttempts"/> times is failed with <c>internal_error</c> and refunded
    /// instead of being claimed, and the next oldest tasks fill the batch in its place. Returns
    /// fewer than <paramref name="max"/> (down to none) when no more were claimable, or when the
    /// rest were locked by concurrent claimers at that instant (they hold them, so nothing is lost).
    /// </summary>
    Task<IReadOnlyList<ClaimedTask>> ClaimManyAsync(string workerId, long now, TimeSpan lease, int maxAttempts, int max, CancellationToken ct);

    /// <summary>Claims the oldest claimable task: <see cref="ClaimManyAsync"/> with a batch of one.</summary>
    async Task<ClaimedTask?> ClaimAsync(string workerId, long now, TimeSpan lease, int maxAttempts, CancellationToken ct) =>
        (await ClaimManyAsync(workerId, now, lease, maxAttempts, 1, ct)).SingleOrDefault();

    /// <summary>Extends the lease; false when the lease was lost (expired and claimed by another, or the task ended).</summary>
    Task<bool> HeartbeatAsync(string taskId, string leaseToken, long now, TimeSpan lease, int progress, CancellationToken ct);

    /// <summary>Ends the task in <c>success</c> keeping the charge. False when the lease was lost.</summary>
    Task<bool> SucceedAsync(string taskId, string leaseToken, string resultKey, string? thumbnailKey, long now, CancellationToken ct);

    /// <summary>Ends the task in <c>fail</c> and refunds its cost in the same transaction. False when the lease was lost.</summary>
    Task<bool> FailAsync(string taskId, string leaseToken, string failCode, string failMsg, long now, CancellationToken ct);

    /// <summary>
    /// The leader's sweep: every waiting task whose lease expired before <paramref name="now"/>
    /// goes back to the queue (no longer shown as generating; its old token can end nothing), or,
    /// after <paramref name="maxAttempts"/> claims, fails with <c>internal_error</c> and a refund,
    /// even when no worker is left to claim it.
    /// </summary>
    Task<ExpiredLeases> ReleaseExpiredAsync(long now, int maxAttempts, CancellationToken ct);

    /// <summary>
    /// Gives a claimed task back to the queue at once (graceful shutdown): the lease is dropped,
    /// the claim does not count as an attempt, and any worker may claim it now. False when the
    /// lease was already lost.
    /// </summary>
    Task<bool> ReleaseAsync(string taskId, string leaseToken, long now, CancellationToken ct);

    /// <summary>The earliest lease expiry among running tasks, so workers can wake for it; null when none run.</summary>
    Task<long?> NextLeaseExpiryAsync(CancellationToken ct);

    /// <summary>
    /// Read-only counts for monitoring (the queue-depth gauges): a task counts as queued when it
    /// waits with no lease or a lease expired before <paramref name="now"/>, as the claim sees it.
    /// One aggregate over the waiting tasks' index; callers cache it (it is not free on a big queue).
    /// </summary>
    Task<QueueStats> StatsAsync(long now, CancellationToken ct);
}
