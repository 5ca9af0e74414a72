using Microsoft.Extensions.Logging;
using Reelgate.Core.Engines;
using Reelgate.Core.Media;
using Reelgate.Core.Tasks;
using Reelgate.Engines.Ffmpeg;

namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// The built-in engine: a procedural PREVIEW renderer, not AI. It turns the prompt and seed into
/// moving gradients, a caption and an ambient tone with Debian's ffmpeg, producing an MP4 of
/// exactly the model's size, frame rate and frame count. Same spec, same bytes (bitexact flags,
/// fixed thread count, every source bounded by its own duration, no -shortest).
/// </summary>
public sealed partial class BuiltInRenderer(BuiltInRendererOptions options, ILogger<BuiltInRenderer> log) : IVideoEngine
{
    /// <summary>A hung <c>ffmpeg -version</c> must not hang the health check with it.</summary>
    private static readonly FfmpegRun VersionRun = new() { CaptureOutput = true, Timeout = TimeSpan.FromSeconds(10) };

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
            // The health contract is synchronous and its answer cached, so this runs once; no
            // synchronization context exists in the server to deadlock on.
            var version = FfmpegProcess.RunAsync(options.FfmpegPath, ["-hide_banner", "-version"], VersionRun, CancellationToken.None).GetAwaiter().GetResult();
            return _health = version.Succeeded
                ? new EngineHealth(true, version.FirstLine)
                : new EngineHealth(false, version.TimedOut ? "ffmpeg -version did not answer" : $"ffmpeg -version exited with {version.ExitCode}");
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
        var lastFramePart = job.LastFramePath is null ? null : job.OutputPath + ".last.part.png";
        try
        {
            var spec = job.Spec;
            var style = PromptStyle.From(spec.Prompt, spec.Seed);
            var withCaption = File.Exists(options.FontPath);
            if (withCaption)
            {
                await File.WriteAllTextAsync(captionFile, CaptionLayout.Wrap(spec.Prompt, spec.Width, spec.Height), ct);
            }

            var args = Command(job, style, partial, withCaption ? captionFile : null, lastFramePart);
            var exit = await FfmpegProcess.RunAsync(options.FfmpegPath, args, new FfmpegRun { Progress = progress, ProgressFrames = spec.FrameCount }, ct);
            if (exit.ExitCode != 0)
            {
                LogFailed(job.TaskId, exit.ExitCode);
                return EngineResult.Failure(FailCodes.GenerationFailed, "ffmpeg failed: " + exit.ErrorTail);
            }

            File.Move(partial, job.OutputPath, overwrite: true);
            if (lastFramePart is not null && job.LastFramePath is { } lastFrame)
            {
                File.Move(lastFramePart, lastFrame, overwrite: true);
            }

            progress.Report(100);
            return EngineResult.Success();
        }
        catch (OperationCanceledException)
        {
            if (job.ThumbnailPath is { } thumbnail)
            {
                File.Delete(thumbnail);
            }

            if (job.LastFramePath is { } lastFrame)
            {
                File.Delete(lastFrame);
            }

            throw;
        }
        finally
        {
            File.Delete(captionFile);
            File.Delete(partial);
            if (lastFramePart is not null)
            {
                File.Delete(lastFramePart);
            }
        }
    }

    /// <summary>
    /// The mode follows the inputs: a first frame makes an image-to-video (a last frame ends it,
    /// a reference audio is its soundtrack); reference images or videos make a storyboard;
    /// otherwise text-to-video, whose command is unchanged by the media modes (a reference
    /// audio alone replaces its procedural tone).
    /// </summary>
    private List<string> Command(EngineJob job, PromptStyle style, string output, string? captionFile, string? lastFrame)
    {
        var spec = job.Spec;
        var stills = new FrameOutputs(job.ThumbnailPath, lastFrame);
        var audio = job.Media.FirstOrDefault(m => m.Input.Role == MediaRoles.ReferenceAudio)?.Path;
        if (job.Media.FirstOrDefault(m => m.Input.Role == MediaRoles.FirstFrame) is { } first)
        {
            var last = job.Media.FirstOrDefault(m => m.Input.Role == MediaRoles.LastFrame)?.Path;
            var move = CameraMove.FromPrompt(spec.Prompt, style.Hash).FitTo(spec.Width, spec.Height);
            return MediaRenderCommand.Build(spec, style, move, options, new ImageToVideoInputs(first.Path, last, audio), output, captionFile, stills);
        }

        var references = job.Media.Where(m => m.Input.Role is MediaRoles.ReferenceImage or MediaRoles.ReferenceVideo).ToList();
        if (references.Count > 0)
        {
            var plan = StoryboardPlan.From(spec, references, style.Hash);
            return StoryboardCommand.Build(spec, style, plan, options, audio, output, captionFile, stills);
        }

        return RenderCommand.Build(spec, style, options, output, captionFile, job.ThumbnailPath, lastFrame, audio);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId}: ffmpeg exited with {Exit}")]
    private partial void LogFailed(string taskId, int exit);
}
