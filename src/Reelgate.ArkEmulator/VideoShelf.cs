using System.Collections.Concurrent;

namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// The emulator's object store: each succeeded task's MP4 under <c>/videos/{id}.mp4</c> with
/// the time its URL stops working, and its last frame under <c>/videos/{id}.png</c> when asked for. Independent of the task records, as on ModelArk: deleting a
/// task does not take its video down, expiry does.
/// </summary>
internal sealed class VideoShelf
{
    private readonly ConcurrentDictionary<string, Video> _videos = new();

    /// <summary>The base of video URLs, ending with '/'; set once Kestrel has bound its port.</summary>
    public string BaseUrl { get; set; } = "http://127.0.0.1/";

    /// <summary>Puts the file (and its last frame PNG, when there is one) on the shelf and returns their URLs.</summary>
    public (string VideoUrl, string? LastFrameUrl) Publish(string taskId, string path, string? lastFramePath, DateTimeOffset expiresAt)
    {
        _videos[taskId] = new Video(path, expiresAt) { LastFramePath = lastFramePath };
        return ($"{BaseUrl}videos/{taskId}.mp4", lastFramePath is null ? null : $"{BaseUrl}videos/{taskId}.png");
    }

    public Video? Find(string taskId) => _videos.TryGetValue(taskId, out var v) ? v : null;

    public void Clear() => _videos.Clear();

    internal sealed record Video(string Path, DateTimeOffset ExpiresAt)
    {
        /// <summary>The video's last frame (<c>/videos/{id}.png</c>), when the task asked for it.</summary>
        public string? LastFramePath { get; init; }
    }
}
