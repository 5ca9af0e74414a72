using System.Collections.Concurrent;

namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// The emulator's object store: each succeeded task's MP4 under <c>/videos/{id}.mp4</c> with
/// the time its URL stops working. Independent of the task records, as on ModelArk: deleting a
/// task does not take its video down, expiry does.
/// </summary>
internal sealed class VideoShelf
{
    private readonly ConcurrentDictionary<string, Video> _videos = new();

    /// <summary>The base of video URLs, ending with '/'; set once Kestrel has bound its port.</summary>
    public string BaseUrl { get; set; } = "http://127.0.0.1/";

    /// <summary>Puts the file on the shelf and returns its URL.</summary>
    public string Publish(string taskId, string path, DateTimeOffset expiresAt)
    {
        _videos[taskId] = new Video(path, expiresAt);
        return $"{BaseUrl}videos/{taskId}.mp4";
    }

    public Video? Find(string taskId) => _videos.TryGetValue(taskId, out var v) ? v : null;

    public void Clear() => _videos.Clear();

    internal sealed record Video(string Path, DateTimeOffset ExpiresAt);
}
