namespace Reelgate.Core.Tasks;

/// <summary>What one sweep of expired leases did: tasks put back in the queue, tasks failed after too many attempts.</summary>
public readonly record struct ExpiredLeases(int Requeued, int Failed);
