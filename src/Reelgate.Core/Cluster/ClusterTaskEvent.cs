namespace Reelgate.Core.Cluster;

/// <summary>
/// A task's change as relayed between nodes. <see cref="Origin"/> names the node that published
/// it, so that node can skip its own event (it delivered it to its streams already).
/// </summary>
public sealed record ClusterTaskEvent(string Origin, string AccountId, string TaskId, string State, int Progress, string? FailCode, long UpdateTime);
