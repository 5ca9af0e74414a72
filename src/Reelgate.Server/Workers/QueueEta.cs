using System.Collections.Concurrent;

namespace Reelgate.Server.Workers;

/// <summary>
/// The recent completion rate of each model on this node: the successes of the last five
/// minutes (at most 256 remembered per model). recordInfo turns a waiting task's queue position
/// into <c>etaSeconds</c> = position / rate; unknown (null) until this node has seen two
/// successes of the model in the window, so an API-only node (no workers) never guesses.
/// </summary>
public sealed class QueueEta(TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private const int Remembered = 256;

    private readonly ConcurrentDictionary<string, ConcurrentQueue<long>> _done = new(StringComparer.Ordinal);

    /// <summary>A task of <paramref name="model"/> succeeded on this node now.</summary>
    public void Completed(string model)
    {
        var queue = _done.GetOrAdd(model, _ => new ConcurrentQueue<long>());
        queue.Enqueue(time.GetUtcNow().ToUnixTimeMilliseconds());
        while (queue.Count > Remembered && queue.TryDequeue(out _))
        {
        }
    }

    /// <summary>Seconds until a task at <paramref name="position"/> (1 = next) starts, from the model's recent rate; null when unknown.</summary>
    public double? Estimate(string model, int position)
    {
        if (!_done.TryGetValue(model, out var queue))
        {
            return null;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var recent = queue.Where(t => now - t <= Window.TotalMilliseconds).ToList();
        if (recent.Count < 2)
        {
            return null;
        }

        // Completions per second over the span they cover (first to now), not the whole window.
        var span = Math.Max(1, now - recent.Min()) / 1000.0;
        var rate = recent.Count / span;
        return Math.Round(position / rate, 1);
    }
}
