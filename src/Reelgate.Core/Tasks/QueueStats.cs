namespace Reelgate.Core.Tasks;

/// <summary>
/// The queue at one moment, for monitoring: waiting tasks no worker holds (<see cref="Queued"/>,
/// including those whose lease expired), waiting tasks a worker holds a live lease on
/// (<see cref="Generating"/>), and the create time (Unix ms) of the oldest queued one, null when
/// none is queued.
/// </summary>
public readonly record struct QueueStats(long Queued, long Generating, long? OldestQueuedCreateTime);
