namespace Reelgate.Core.Cluster;

/// <summary>
/// The signals of a single-node deployment (SQLite): delivered at once, in this process, to
/// every listener. Nothing can be lost in transit, so no wake-up is reported on listening.
/// </summary>
public sealed class InProcessClusterSignals : IClusterSignals
{
    private readonly Lock _gate = new();
    private IClusterSignalHandler[] _handlers = [];

    public Task<bool> PublishQueueWakeupAsync(CancellationToken ct) => Deliver(static h => h.OnQueueWakeup());

    public Task<bool> PublishTaskEventsAsync(IReadOnlyList<ClusterTaskEvent> changes, CancellationToken ct) => Deliver(h =>
    {
        foreach (var change in changes)
        {
            h.OnTaskEvent(change);
        }
    });

    public Task<bool> PublishUpstreamHookAsync(string upstreamId, CancellationToken ct) => Deliver(h => h.OnUpstreamHook(upstreamId));

    public async Task ListenAsync(IClusterSignalHandler handler, CancellationToken ct)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
        }

        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Listening ends with the node.
        }
        finally
        {
            lock (_gate)
            {
                _handlers = [.. _handlers.Where(h => !ReferenceEquals(h, handler))];
            }
        }
    }

    private Task<bool> Deliver(Action<IClusterSignalHandler> signal)
    {
        // The array is replaced, never changed, so a delivery reads a consistent list without the lock.
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            signal(handler);
        }

        return Task.FromResult(true);
    }
}
