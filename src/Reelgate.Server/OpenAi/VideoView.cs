using System.Globalization;
using Reelgate.Core.Tasks;
using Reelgate.Server.Api;

namespace Reelgate.Server.OpenAi;

/// <summary>
/// A task as OpenAI's Video object. The facts come from recordInfo's data (<see cref="TaskView"/>:
/// state, progress, times, expiry), so both surfaces always tell the same story; only the wording
/// is OpenAI's: status <c>queued</c> (waiting, not started), <c>in_progress</c> (generating),
/// <c>completed</c>, <c>failed</c>; Unix seconds; <c>seconds</c> and <c>size</c> from the resolved spec.
/// </summary>
public sealed class VideoView(TaskView view)
{
    public VideoData ToVideo(TaskRecord t, HttpRequest request)
    {
        var info = view.ToData(t, request);
        var status = info.State switch
        {
            TaskState.Success => "completed",
            TaskState.Fail => "failed",
            _ => t.StartTime is null ? "queued" : "in_progress",
        };
        var spec = t.Spec;
        // A size left to the worker (adaptive ratio with a first frame) is not known before it runs.
        var size = spec is { Width: > 0, Height: > 0 } ? $"{spec.Width}x{spec.Height}" : "adaptive";
        return new VideoData(
            t.TaskId,
            "video",
            t.Model,
            status,
            info.Progress,
            info.CreateTime / 1000,
            info.CompleteTime / 1000,
            info.ResultExpireTime / 1000,
            (spec?.DurationSeconds ?? 0).ToString(CultureInfo.InvariantCulture),
            size,
            spec?.Prompt,
            null,
            info.FailCode is { } code ? new VideoErrorData(code, info.FailMsg ?? code) : null);
    }
}
