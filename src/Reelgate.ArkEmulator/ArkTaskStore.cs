using System.Collections.Concurrent;
using System.Globalization;
using Reelgate.Core.Catalog;

namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// The emulator's tasks, in memory. Every read first moves the tasks it returns along to "now",
/// so answers are exact for any clock (a fake one included) without waiting for the background
/// loop; the loop only makes tasks progress, and callbacks fire, while nobody asks.
/// </summary>
internal sealed class ArkTaskStore(ArkEmulatorOptions options, TimeProvider time, TaskMachine machine, VideoShelf videos)
{
    /// <summary>ModelArk lists the tasks of the last 7 days only.</summary>
    private static readonly TimeSpan ListWindow = TimeSpan.FromDays(7);

    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    private readonly ConcurrentDictionary<string, ArkTask> _tasks = new();
    private readonly ConcurrentDictionary<string, int> _promptCreates = new();
    private long _sequence;
    private long _createNumber;

    public int Count => _tasks.Count;

    /// <summary>Makes a queued task (a -1 seed drawn, adaptive ratio and duration resolved) and announces it.</summary>
    public ArkTask Create(CreateTaskRequest request, TaskScript script)
    {
        var now = time.GetUtcNow();
        var seed = request.Seed >= 0 ? request.Seed : Random.Shared.NextInt64(0, (long)uint.MaxValue + 1);
        var ratio = SeedanceSizes.EffectiveRatio(request.Ratio);
        var duration = request.Duration == -1 ? SeedanceSizes.AdaptiveDuration : request.Duration;
        var (width, height) = SeedanceSizes.Size(request.Resolution, ratio);
        var prompt = script.CleanPrompt.Length > 0 ? script.CleanPrompt : "image to video";
        var spec = new GenerationSpec(request.Model, prompt, ratio, request.Resolution, width, height, SeedanceSizes.FramesPerSecond, duration, request.GenerateAudio, seed, request.WebSearch);
        while (true)
        {
            var task = new ArkTask(NewId(now), Interlocked.Increment(ref _sequence), request, script, spec, now, options.QueueDelay);
            if (_tasks.TryAdd(task.Id, task))
            {
                task.Publish(machine);
                return task;
            }
        }
    }

    /// <summary>The task moved along to now, or null.</summary>
    public ArkTask? Find(string id)
    {
        if (!_tasks.TryGetValue(id, out var task))
        {
            return null;
        }

        task.Advance(time.GetUtcNow(), machine);
        return task;
    }

    /// <summary>DELETE's effect and the status it met, or null when there is no such task.</summary>
    public (DeleteOutcome Outcome, string Status)? Delete(string id)
    {
        if (!_tasks.TryGetValue(id, out var task))
        {
            return null;
        }

        var (outcome, status) = task.Delete(time.GetUtcNow(), machine);
        if (outcome == DeleteOutcome.Remove)
        {
            _tasks.TryRemove(new KeyValuePair<string, ArkTask>(id, task));
        }

        return (outcome, status);
    }

    /// <summary>Newest first, filtered, one page; <c>Total</c> counts every match.</summary>
    public (IReadOnlyList<TaskObject> Items, int Total) List(int pageNum, int pageSize, string? status, IReadOnlyCollection<string> taskIds, string? model)
    {
        var now = time.GetUtcNow();
        var matches = new List<(long Sequence, TaskObject View)>();
        foreach (var task in _tasks.Values)
        {
            task.Advance(now, machine);
            var view = task.View();
            if (task.CreatedAt >= now - ListWindow &&
                (status is null || view.Status == status) &&
                (taskIds.Count == 0 || taskIds.Contains(task.Id)) &&
                (model is null || view.Model == model))
            {
                matches.Add((task.Sequence, view));
            }
        }

        var page = matches.OrderByDescending(m => m.Sequence).Skip((pageNum - 1) * pageSize).Take(pageSize).Select(m => m.View).ToList();
        return (page, matches.Count);
    }

    public void AdvanceAll()
    {
        var now = time.GetUtcNow();
        foreach (var task in _tasks.Values)
        {
            task.Advance(now, machine);
        }
    }

    public IReadOnlyList<ArkTaskSnapshot> Snapshots() =>
        [.. _tasks.Values.OrderBy(t => t.Sequence).Select(t => t.Snapshot())];

    /// <summary>How many creates of exactly this prompt have asked for <paramref name="marker"/>, this one included.</summary>
    public int CountPromptCreate(string marker, string prompt) =>
        _promptCreates.AddOrUpdate(marker + "\n" + prompt, 1, (_, n) => n + 1);

    /// <summary>The number of this create among those that passed validation, for the every-Nth knobs.</summary>
    public long NextCreateNumber() => Interlocked.Increment(ref _createNumber);

    /// <summary>Forgets every task, video and counter (renders stay cached).</summary>
    public void Reset()
    {
        _tasks.Clear();
        _promptCreates.Clear();
        videos.Clear();
        Interlocked.Exchange(ref _createNumber, 0);
    }

    /// <summary>ModelArk's shape: <c>cgt-</c>, the UTC time to the second, five random characters.</summary>
    private static string NewId(DateTimeOffset now) =>
        $"cgt-{now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture)}-{System.Security.Cryptography.RandomNumberGenerator.GetString(IdAlphabet, 5)}";
}
