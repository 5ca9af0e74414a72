using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Engines.BuiltIn;

namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// Real MP4s from Reelgate's built-in renderer, cached by everything that changes the bytes
/// (prompt, size, duration, audio, seed, and the renderer build), so repeated tests render once.
/// One render per key at a time in this process; renders go to a unique scratch file and are
/// moved into place, so emulators sharing a cache directory never see half a file.
/// </summary>
internal sealed partial class RenderCache : IAsyncDisposable
{
    private static readonly string RendererBuild = typeof(BuiltInRenderer).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    private readonly ConcurrentDictionary<string, Lazy<Task<string?>>> _renders = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _slots;
    private readonly BuiltInRenderer _renderer;
    private readonly string _directory;
    private readonly ILogger<RenderCache> _log;

    public RenderCache(ArkEmulatorOptions options, string directory, ILoggerFactory logs)
    {
        _directory = directory;
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
        foreach (var lazy in _renders.Values.Where(l => l.IsValueCreated))
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
