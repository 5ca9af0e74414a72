namespace Reelgate.Core.Cluster;

/// <summary>
/// The signals nodes send each other: queue wake-ups, task events and upstream callbacks. The
/// storage backend chooses the implementation: in process on SQLite (one node), LISTEN/NOTIFY on
/// PostgreSQL (every node of the deployment). A signal published on any node reaches the
/// listeners of every node, this one included.
/// <para>
/// Signals only hasten work; none carries a truth of its own. They are best effort: one may be
/// lost (a broken connection, a full buffer), and everything that listens has a slower way to
/// find the same thing (workers keep a fallback poll, upstream polls keep their backoff, event
/// streams re-read the task on reconnect). So publishing never throws for an unreachable broker:
/// it answers false and the implementation logs why.
/// </para>
/// </summary>
public interface IClusterSignals
{
    /// <summary>
    /// Wakes idle workers on every node: a task is waiting. On PostgreSQL the task store also
    /// sends this inside the create transaction, so that it is delivered only at commit.
    /// </summary>
    Task<bool> PublishQueueWakeupAsync(CancellationToken ct);

    /// <summary>
    /// Relays tasks' progress and ends to the event streams of every node, in order. A busy node
    /// relays what accumulated together (one round trip on PostgreSQL, not one per event).
    /// </summary>
    Task<bool> PublishTaskEventsAsync(IReadOnlyList<ClusterTaskEvent> changes, CancellationToken ct);

    /// <summary>An upstream called back about <paramref name="upstreamId"/>: the node polling it should poll now.</summary>
    Task<bool> PublishUpstreamHookAsync(string upstreamId, CancellationToken ct);

    /// <summary>
    /// Hands every signal to <paramref name="handler"/> until <paramref name="ct"/> is cancelled.
    /// An implementation that can lose signals while disconnected reports a queue wake-up after
    /// every (re)connection, which listeners must read as "look again".
    /// </summary>
    Task ListenAsync(IClusterSignalHandler handler, CancellationToken ct);
}
