namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// What a task's state machine reaches outside itself: the knobs, the renders, the video shelf
/// and the callback sink. One per emulator.
/// </summary>
internal sealed class TaskMachine(ArkEmulatorOptions options, RenderCache renders, VideoShelf videos, CallbackDispatcher callbacks, TimeProvider time)
{
    public ArkEmulatorOptions Options => options;

    public RenderCache Renders => renders;

    public TimeProvider Time => time;

    /// <summary>Called under the task's lock with each state it enters; must not block.</summary>
    public void Announce(ArkTask task, TaskObject view) => callbacks.Send(task, view);

    public (string VideoUrl, string? LastFrameUrl) PublishVideo(string taskId, string path, string? lastFramePath, DateTimeOffset expiresAt) =>
        videos.Publish(taskId, path, lastFramePath, expiresAt);

    /// <summary>A task's render just finished: move the task along now.</summary>
    public void RenderFinished(ArkTask task) => task.RenderFinished(time.GetUtcNow(), this);
}
