using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Reelgate.Core.Engines;
using Reelgate.Core.Tasks;

namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// The built-in engine: a procedural PREVIEW renderer, not AI. It turns the prompt and seed into
/// moving gradients, a caption and an ambient tone with Debian's ffmpeg, producing an MP4 of
/// exactly the model's size, frame rate and frame count. Same spec, same bytes (bitexact flags,
/// fixed thread count, every source bounded by its own duration, no -shortest).
/// </summary>
public sealed partial class BuiltInRenderer(BuiltInRendererOptions options, ILogger<BuiltInRenderer> log) : IVideoEngine
{
    private EngineHealth? _health;

    public string Name => "builtin";

    public EngineHealth CheckHealth()
    {
        if (_health is { } cached)
        {
            return cached;
        }

        if (!File.Exists(options.FfmpegPath))
        {
            return _health = new EngineHealth(false, MissingMessage);
        }

        try
        {
            using var p = Process.Start(new ProcessStartInfo(options.FfmpegPath, ["-hide_banner", "-version"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var first = p.StandardOutput.ReadLine() ?? "";
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return _health = p.ExitCode == 0 ? new EngineHealth(true, first) : new EngineHealth(false, $"ffmpeg -version exited with {p.ExitCode}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return _health = new EngineHealth(false, $"ffmpeg could not run: {e.Message}");
        }
    }

    private string MissingMessage => $"ffmpeg not found at {options.FfmpegPath}: install it with 'apt-get install ffmpeg' (or scripts/install-deps.sh)";

    public async Task<EngineResult> GenerateAsync(EngineJob job, IProgress<int> progress, CancellationToken ct)
    {
        if (!File.Exists(options.FfmpegPath))
        {
            return EngineResult.Failure(FailCodes.GenerationFailed, MissingMessage);
        }

        var captionFile = job.OutputPath + ".caption.txt";
        var partial = job.OutputPath + ".part.mp4";
        try
        {
            var spec = job.Spec;
            var style = PromptStyle.From(spec.Prompt, spec.Seed);
            var withCaption = File.Exists(options.FontPath);
            if (withCaption)
            {
                await File.WriteAllTextAsync(captionFile, CaptionLayout.Wrap(spec.Prompt, spec.Width, spec.Height), ct);
            }

            var (exit, error) = await RunAsync(RenderCommand.Build(spec, style, options, partial, withCaption ? captionFile : null, job.ThumbnailPath), spec.FrameCount, progress, ct);
            if (exit != 0)
            {
                LogFailed(job.TaskId, exit);
                return EngineResult.Failure(FailCodes.GenerationFailed, "ffmpeg failed: " + error);
            }

            File.Move(partial, job.OutputPath, overwrite: true);
            progress.Report(100);
            return EngineResult.Success();
        }
        catch (OperationCanceledException)
        {
            if (job.ThumbnailPath is { } thumbnail)
            {
                File.Delete(thumbnail);
            }

            throw;
        }
        finally
        {
            File.Delete(captionFile);
            File.Delete(partial);
        }
    }

    private async Task<(int Exit, string Error)> RunAsync(List<string> args, int frames, IProgress<int> progress, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(options.FfmpegPath, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        ScrubEnvironment(psi);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            var last = 0;
            while (await p.StandardOutput.ReadLineAsync(ct) is { } line)
            {
                if (line.StartsWith("frame=", StringComparison.Ordinal) && int.TryParse(line.AsSpan(6), out var frame) && frames > 0)
                {
                    var pct = Math.Min(99, frame * 100 / frames);
                    if (pct > last)
                    {
                        last = pct;
                        progress.Report(pct);
                    }
                }
            }

            await p.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            try
            {
                p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            await p.WaitForExitAsync(CancellationToken.None);
            throw;
        }

        var error = (await stderr).Trim();
        var lastLines = string.Join(" | ", error.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(2));
        return (p.ExitCode, lastLines.Length > 300 ? lastLines[..300] : lastLines);
    }

    /// <summary>
    /// ffmpeg gets no Reelgate settings from the environment: the admin key, database and
    /// storage credentials may be passed to the server that way and are no business of a child.
    /// </summary>
    internal static void ScrubEnvironment(ProcessStartInfo psi)
    {
        foreach (var name in psi.Environment.Keys.ToList())
        {
            if (name.StartsWith("Reelgate__", StringComparison.OrdinalIgnoreCase) || name.StartsWith("REELGATE_", StringComparison.OrdinalIgnoreCase))
            {
                psi.Environment.Remove(name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId}: ffmpeg exited with {Exit}")]
    private partial void LogFailed(string taskId, int exit);
}
