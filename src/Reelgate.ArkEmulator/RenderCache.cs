using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Engines.BuiltIn;
using Reelgate.Engines.Ffmpeg;

namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// Real MP4s from Reelgate's built-in renderer, cached by everything that changes the bytes
/// (prompt, size, duration, audio, seed, and the renderer build), so repeated tests render once.
/// One render per key at a time in this process; renders go to a unique scratch file and are
/// moved into place, so emulators sharing a cache directory never see half a file. The last
/// frame of a render (for <c>return_last_frame</c>) is cut from the MP4 with ffmpeg, the same way.
/// </summary>
internal sealed partial class RenderCache : IAsyncDisposable
{
    private static readonly string RendererBuild = typeof(BuiltInRenderer).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    private static readonly FfmpegRun FrameCut = new() { Timeout = TimeSpan.FromSeconds(60) };

    private readonly ConcurrentDictionary<string, Lazy<Task<string?>>> _renders = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<string?>>> _lastFrames = new();
    private readonly string _ffmpeg;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _slots;
    private readonly BuiltInRenderer _renderer;
    private readonly string _directory;
    private readonly ILogger<RenderCache> _log;

    public RenderCache(ArkEmulatorOptions options, string directory, ILoggerFactory logs)
    {
        _directory = directory;
        _ffmpeg = options.FfmpegPath;
        _log = logs.CreateLogger<RenderCache>();
        _slots = new SemaphoreSlim(options.MaxParallelRenders);
        _renderer = new BuiltInRenderer(
            new BuiltInRendererOptions { FfmpegPath = options.FfmpegPath, Preset = options.RenderPreset, Threads = 1 },
            logs.CreateLogger<BuiltInRenderer>());
    }

    /// <summary>The MP4's path once rendered, or null when the render failed (a later call tries again).</summary>
    public Task<string?> GetAsync(GenerationSpec spec)
    {
        var key = Key(spec);
        return _renders.GetOrAdd(key, k => new Lazy<Task<string?>>(() => RenderAsync(k, spec))).Value;
    }

    /// <summary>
    /// The PNG of the rendered MP4's last frame, at the video's size, or null when the render or
    /// the cut failed (a later call tries again). Cached beside the MP4 like it.
    /// </summary>
    public Task<string?> GetLastFrameAsync(GenerationSpec spec)
    {
        var key = Key(spec);
        return _lastFrames.GetOrAdd(key, k => new Lazy<Task<string?>>(() => CutLastFrameAsync(k, spec))).Value;
    }

    private async Task<string?> CutLastFrameAsync(string key, GenerationSpec spec)
    {
        var path = Path.Combine(_directory, key + ".last.png");
        if (File.Exists(path))
        {
            return path;
        }

        if (await GetAsync(spec) is not { } video)
        {
            _lastFrames.TryRemove(key, out _);
            return null;
        }

        // From the last second on, every decoded frame overwrites the one file: the last one stays.
        var scratch = Path.Combine(_directory, $"{key}.{Guid.NewGuid():N}.png");
        try
        {
            var exit = await FfmpegProcess.RunAsync(_ffmpeg, ["-v", "error", "-y", "-sseof", "-1", "-i", video, "-an", "-update", "1", "-f", "image2", "-c:v", "png", scratch], FrameCut, _stopping.Token);
            if (!exit.Succeeded || !File.Exists(scratch))
            {
                LogRenderFailed(key + ".last.png", exit.TimedOut ? "timed out" : exit.ErrorTail);
                _lastFrames.TryRemove(key, out _);
                return null;
            }

            File.Move(scratch, path, overwrite: true);
            return path;
        }
        finally
        {
            File.Delete(scratch);
        }
    }

    private async Task<string?> RenderAsync(string key, GenerationSpec spec)
    {
        var path = Path.Combine(_directory, key + ".mp4");
        if (File.Exists(path))
        {
            return path;
        }

        await _slots.WaitAsync(_stopping.Token);
        var scratch = Path.Combine(_directory, $"{key}.{Guid.NewGuid():N}.mp4");
        try
        {
            if (File.Exists(path))
            {
                return path;
            }

            var result = await _renderer.GenerateAsync(new EngineJob("ark-" + key, spec, scratch), NoProgress.Instance, _stopping.Token);
            if (!result.Succeeded)
            {
                LogRenderFailed(key, result.FailMessage);
                _renders.TryRemove(key, out _);
                return null;
            }

            File.Move(scratch, path, overwrite: true);
            return path;
        }
        finally
        {
            File.Delete(scratch);
            _slots.Release();
        }
    }

    private static string Key(GenerationSpec s)
    {
        var text = string.Join('\n', RendererBuild, s.Prompt, s.Resolution, s.Ratio, s.Width.ToString(CultureInfo.InvariantCulture),
            s.Height.ToString(CultureInfo.InvariantCulture), s.Fps.ToString(CultureInfo.InvariantCulture), s.DurationSeconds.ToString(CultureInfo.InvariantCulture),
            s.Audio ? "audio" : "silent", s.Seed.ToString(CultureInfo.InvariantCulture));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }

    /// <summary>Stops every render (the renderer kills its ffmpeg) and waits for them, so the directory can go.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var lazy in _lastFrames.Values.Concat(_renders.Values).Where(l => l.IsValueCreated))
        {
            try
            {
                await lazy.Value;
            }
            catch (OperationCanceledException)
            {
                // Expected: the render was stopped.
            }
        }

        _stopping.Dispose();
        _slots.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "render {Key} failed: {Reason}")]
    private partial void LogRenderFailed(string key, string? reason);

    private sealed class NoProgress : IProgress<int>
    {
        public static readonly NoProgress Instance = new();

        public void Report(int value)
        {
        }
    }
}
