using System.Threading.Channels;
using Reelgate.Core.Cluster;
using Reelgate.Server.Workers;

namespace Reelgate.Server.Events;

/// <summary>
/// Joins this node to the others through the backend's <see cref="IClusterSignals"/> (LISTEN/NOTIFY
/// on PostgreSQL; in process on SQLite, where this node is the only one):
/// <list type="bullet">
/// <item>a task created on any node wakes idle workers on every node at once (on PostgreSQL
/// createTask sends the wake-up in its own transaction, so it is delivered only when the task is
/// committed); a lost listener connection is answered with one wake-up when it is back, and
/// workers keep their fallback poll, so a lost wake-up delays a task, never loses it;</item>
/// <item>task events (progress, ends) published on one node reach the SSE streams and MCP waits
/// of every node. Events are best effort, like any stream: clients re-read the task on
/// reconnect, and the task record stays the truth.</item>
/// <item>an upstream's callback received by one node wakes the poll of that upstream task on
/// whichever node runs it.</item>
/// </list>
/// </summary>
public sealed class ClusterEventService(
    IClusterSignals signals,
    TaskEventHub hub,
    QueueSignal queue,
    Reelgate.Engines.Upstream.UpstreamWakeups wakeups) : BackgroundService, IClusterSignalHandler
{
    private const int MaxRelayBatch = 256;
    private readonly string _node = Guid.NewGuid().ToString("N")[..12];
    private readonly Channel<TaskEvent> _outbox = Channel.CreateBounded<TaskEvent>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Relayed through a buffer so a slow broker never slows the worker that published.
        hub.Relay = e => _outbox.Writer.TryWrite(e);
        return Task.WhenAll(signals.ListenAsync(this, stoppingToken), SendAsync(stoppingToken));
    }

    public void OnQueueWakeup() => queue.Pulse();

    public void OnUpstreamHook(string upstreamId)
    {
        if (wakeups.IsTracked(upstreamId))
        {
            wakeups.Wake(upstreamId); // an upstream called back on some node: poll it now, it runs here
        }
    }

    public void OnTaskEvent(ClusterTaskEvent change)
    {
        if (change.Origin == _node)
        {
            return; // this node's own event, already published here
        }

        hub.PublishLocal(change.AccountId, change.TaskId, change.State, change.Progress, change.FailCode, change.UpdateTime);
    }

    private async Task SendAsync(CancellationToken ct)
    {
        var batch = new List<ClusterTaskEvent>(MaxRelayBatch);
        try
        {
            while (await _outbox.Reader.WaitToReadAsync(ct))
            {
                // What accumulated while the last relay was in flight goes in one round trip.
                batch.Clear();
                while (batch.Count < MaxRelayBatch && _outbox.Reader.TryRead(out var e))
                {
                    batch.Add(new ClusterTaskEvent(_node, e.AccountId, e.TaskId, e.State, e.Progress, e.FailCode, e.UpdateTime));
                }

                // False when it could not be sent (logged by the backend): other nodes' streams catch up on reconnect.
                await signals.PublishTaskEventsAsync(batch, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
