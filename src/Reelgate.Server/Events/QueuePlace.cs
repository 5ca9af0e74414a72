using Reelgate.Core.Tasks;
using Reelgate.Server.Workers;

namespace Reelgate.Server.Events;

/// <summary>
/// A task stream's view of its task's place in the queue while the task waits and no worker has
/// taken it: the same <c>queuePosition</c> and <c>etaSeconds</c> as recordInfo. The position only
/// moves when some task of the cluster is claimed, cancelled or ends, and every such change is a
/// hub event (this node's or relayed), so it is re-read only when the hub's latest event id moved
/// since the last read (or when forced, e.g. at a keep-alive, for a lease that expired without an
/// event). Once the task has no position (claimed, so started, or ended) it never gets one again:
/// the watch stops for good.
/// </summary>
public sealed class QueuePlace(ITaskStore tasks, QueueEta eta, TaskEventHub hub, TimeProvider time, string taskId, string model)
{
    private long _readAt = -1;

    /// <summary>False once the task has left the queue; then <see cref="Position"/> and <see cref="EtaSeconds"/> are null.</summary>
    public bool Active { get; private set; } = true;

    /// <summary>The last position read: 1 = the next claim takes it.</summary>
    public int? Position { get; private set; }

    /// <summary>Seconds until it starts at <see cref="Position"/>, from this node's recent completion rate; null while unknown.</summary>
    public double? EtaSeconds { get; private set; }

    /// <summary>The task left the queue (its own event said so): no more positions.</summary>
    public void Stop()
    {
        Active = false;
        Position = null;
        EtaSeconds = null;
    }

    /// <summary>
    /// Re-reads the position if anything happened since the last read (or <paramref name="force"/>).
    /// True when there is a position to announce: it moved, or the eta became known or unknown.
    /// </summary>
    public async Task<bool> RefreshAsync(bool force, CancellationToken ct)
    {
        var current = hub.CurrentId;
        if (!Active || (!force && current == _readAt))
        {
            return false;
        }

        _readAt = current;
        if (await tasks.QueuePositionAsync(taskId, time.GetUtcNow().ToUnixTimeMilliseconds(), ct) is not { } position)
        {
            // Claimed or ended: the task's own event (started, progress, end) follows, without a position.
            Stop();
            return false;
        }

        var estimate = eta.Estimate(model, position);
        var changed = position != Position || estimate.HasValue != EtaSeconds.HasValue;
        Position = position;
        EtaSeconds = estimate;
        return changed;
    }
}
