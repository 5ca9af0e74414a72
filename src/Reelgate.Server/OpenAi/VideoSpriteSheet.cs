using System.Globalization;
using Microsoft.Extensions.Options;
using Reelgate.Core.Results;
using Reelgate.Core.Tasks;
using Reelgate.Engines.Ffmpeg;
using Reelgate.Server.Options;
using Reelgate.Server.Workers;

namespace Reelgate.Server.OpenAi;

/// <summary>
/// OpenAI's <c>variant=spritesheet</c>: a JPEG grid of ten frames taken evenly through the video
/// (5 x 2 tiles, 256 px wide each), made with ffmpeg on the first request and kept beside the
/// video as <see cref="TaskFiles.SpriteSheet"/>, so it expires and is deleted with the task's
/// other files (<see cref="TaskFiles.AllKeys"/>). One at a time per node: a burst of requests
/// makes it once.
/// </summary>
public sealed partial class VideoSpriteSheet(IResultStore results, IOptions<ReelgateOptions> options, ILogger<VideoSpriteSheet> log)
{
    private const int Columns = 5;
    private const int Rows = 2;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly WorkDirectory _work = new(options.Value.DataDirectory);

    /// <summary>The sheet's key in the result store, or null when the video is gone or ffmpeg could not make it.</summary>
    public async Task<string?> EnsureAsync(TaskRecord task, CancellationToken ct)
    {
        var key = task.TaskId + "/" + TaskFiles.SpriteSheet;
        if (await results.FindAsync(key, ct) is not null)
        {
            return key;
        }

        await _gate.WaitAsync(ct);
        var (copy, sheet) = _work.SpriteSheetFiles(task.TaskId);
        try
        {
            if (await results.FindAsync(key, ct) is not null)
            {
                return key;
            }

            if (task.ResultKey is not { } videoKey || await results.FindAsync(videoKey, ct) is not { } video)
            {
                return null;
            }

            var input = video.LocalPath;
            if (input is null)
            {
                await using var source = await results.OpenReadAsync(video, ct);
                await using var target = File.Create(copy);
                await source.CopyToAsync(target, ct);
                input = copy;
            }

            var step = Math.Max(1, (task.Spec?.FrameCount ?? 120) / (Columns * Rows));
            var filter = string.Create(CultureInfo.InvariantCulture, $"select='not(mod(n\\,{step}))',scale=256:-2,tile={Columns}x{Rows}");
            var exit = await FfmpegProcess.RunAsync(
                options.Value.FfmpegPath,
                ["-nostdin", "-v", "error", "-i", input, "-vf", filter, "-frames:v", "1", "-q:v", "4", "-y", sheet],
                FfmpegRun.Default with { Timeout = Timeout },
                ct);
            if (!exit.Succeeded || !File.Exists(sheet))
            {
                LogFailed(task.TaskId, exit.ExitCode, exit.ErrorTail);
                return null;
            }

            return await results.PutAsync(task.TaskId, TaskFiles.SpriteSheet, sheet, ct);
        }
        finally
        {
            File.Delete(copy);
            File.Delete(sheet);
            _gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "sprite sheet of {TaskId} could not be made: ffmpeg exited {ExitCode}: {Error}")]
    private partial void LogFailed(string taskId, int exitCode, string error);
}
