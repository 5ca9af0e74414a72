using Reelgate.Core.Results;
using Reelgate.Core.Tasks;

namespace Reelgate.Server.Workers;

/// <summary>
/// A task's files in the result store, all under its key prefix (<see cref="TaskFiles"/>): the
/// video, poster and last frame a run made, stored at success; the checked media inputs,
/// deleted when the task fails, is cancelled, or is failed by the expired-lease sweep (no claim
/// follows a fail, and retention looks at successes only).
/// </summary>
internal sealed partial class TaskOutputFiles(IResultStore results, ILogger log, string ffmpegPath)
{
    /// <summary>
    /// Stores the video, then the poster and the last frame if the engine made them, and returns
    /// the keys recordInfo needs (<c>lastFrameUrl</c> is signed from the spec's flag). Throws
    /// <see cref="IOException"/> when the store cannot take them.
    /// </summary>
    public async Task<(string Video, string? Thumbnail)> StoreAsync(ClaimRun run)
    {
        var taskId = run.Task.TaskId;
        // An engine that did not deliver the frame (an upstream's last_frame_url missing or
        // broken) is covered by cutting it from the video (before the store takes the video:
        // the local store moves it), so lastFrameUrl always names a file.
        if (run.LastFrame is { } wanted && !File.Exists(wanted))
        {
            LogNoLastFrame(taskId, run.CurrentEngine?.Name ?? "unknown");
            await Reelgate.Engines.Ffmpeg.LastFrameExtractor.ExtractAsync(ffmpegPath, run.Video, wanted, run.Stopping);
        }

        var key = await results.PutAsync(taskId, TaskFiles.Video, run.Video, run.Stopping);
        var thumbnailKey = File.Exists(run.Poster) ? await results.PutAsync(taskId, TaskFiles.Poster, run.Poster, run.Stopping) : null;
        if (run.LastFrame is { } lastFrame)
        {
            if (File.Exists(lastFrame))
            {
                await results.PutAsync(taskId, TaskFiles.LastFrame, lastFrame, run.Stopping);
            }
        }

        return (key, thumbnailKey);
    }

    /// <summary>Deletes a failed task's stored inputs, best effort (a broken store is logged, not thrown).</summary>
    public async Task DeleteInputsAsync(TaskRecord task)
    {
        if (task.Spec is not { Media.Count: > 0 } spec)
        {
            return;
        }

        try
        {
            foreach (var key in TaskFiles.InputKeys(task.TaskId, spec.Media))
            {
                await results.DeleteAsync(key, CancellationToken.None);
            }
        }
        catch (IOException e)
        {
            LogDeleteFailed(task.TaskId, e.GetType().Name);
        }
    }

    /// <summary>Deletes the stored inputs of a task that has failed meanwhile (cancelled, or failed by the sweep); best effort.</summary>
    public async Task DeleteInputsIfFailedAsync(ITaskStore store, string taskId)
    {
        try
        {
            if (await store.GetAsync(taskId, CancellationToken.None) is { State: TaskState.Fail } task)
            {
                await DeleteInputsAsync(task);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogDeleteFailed(taskId, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId}: the last frame was asked for but engine {Engine} did not write it; cutting it from the video")]
    private partial void LogNoLastFrame(string taskId, string engine);

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId}: deleting the failed task's stored inputs failed ({Error}); they stay in the result store")]
    private partial void LogDeleteFailed(string taskId, string error);
}
