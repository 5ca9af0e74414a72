using System.Collections.Concurrent;

namespace Reelgate.Server.Workers;

/// <summary>
/// The generations running on this node, so a cancel can stop its engine at once. On other
/// nodes the worker notices at its next heartbeat that the task is no longer its own.
/// </summary>
public sealed class RunningTasks
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);

    public void Register(string taskId, CancellationTokenSource stop) => _running[taskId] = stop;

    public void Unregister(string taskId) => _running.TryRemove(taskId, out _);

    /// <summary>Stops the local generation of the task, if one runs here.</summary>
    public void Stop(string taskId)
    {
        if (_running.TryGetValue(taskId, out var stop))
        {
            try
            {
                stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The generation has just ended.
            }
        }
    }
}
