namespace Reelgate.Core.Cluster;

/// <summary>
/// What a node does with the signals it receives (<see cref="IClusterSignals.ListenAsync"/>).
/// Called on the listener's own thread: handlers must be quick and must not block.
/// </summary>
public interface IClusterSignalHandler
{
    /// <summary>A task may be waiting (or signals may have been lost): wake an idle worker.</summary>
    void OnQueueWakeup();

    /// <summary>A task changed on some node, possibly this one (see <see cref="ClusterTaskEvent.Origin"/>).</summary>
    void OnTaskEvent(ClusterTaskEvent change);

    /// <summary>An upstream called back about this upstream task, on some node.</summary>
    void OnUpstreamHook(string upstreamId);
}
