using System.Collections.Concurrent;

namespace Reelgate.Engines.Upstream;

/// <summary>
/// Wakes the poll loop of an upstream task early when the upstream calls back (its
/// <c>callback_url</c>): the poll then reads the task at once instead of at its next backoff
/// step. A wake-up that arrives while nobody waits (the poll is running) is kept and answers the
/// next wait at once, so none is lost. A wake-up only hastens a poll: a lost or forged one
/// changes nothing, and polling stays the mechanism that decides.
/// </summary>
public sealed class UpstreamWakeups
{
    private const int PruneAbove = 10_000;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);

    /// <summary>Completes when the upstream task is woken (at once when a wake-up is pending).</summary>
    public Task WaitAsync(string upstreamId) => _signals.GetOrAdd(upstreamId, _ => New()).Task;

    /// <summary>Takes a pending wake-up, so the next wait sleeps again.</summary>
    public void Consume(string upstreamId)
    {
        if (_signals.TryGetValue(upstreamId, out var signal) && signal.Task.IsCompleted)
        {
            _signals.TryUpdate(upstreamId, New(), signal);
        }
    }

    /// <summary>Wakes (or marks for waking) the poll of this upstream task; false when it was already pending.</summary>
    public bool Wake(string upstreamId)
    {
        if (_signals.Count > PruneAbove)
        {
            // Wake-ups for tasks nobody here polls (another node runs them, or they ended).
            foreach (var (id, signal) in _signals)
            {
                if (signal.Task.IsCompleted)
                {
                    _signals.TryRemove(new KeyValuePair<string, TaskCompletionSource>(id, signal));
                }
            }
        }

        return _signals.GetOrAdd(upstreamId, _ => New()).TrySetResult();
    }

    /// <summary>Stops tracking an upstream task whose poll ended.</summary>
    public void Forget(string upstreamId) => _signals.TryRemove(upstreamId, out _);

    /// <summary>Whether a poll of this upstream task is tracked on this node (for tests and relays).</summary>
    public bool IsTracked(string upstreamId) => _signals.ContainsKey(upstreamId);

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
