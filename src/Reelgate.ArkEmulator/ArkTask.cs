using Reelgate.Core.Catalog;

namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// One emulated task and its state machine:
/// <code>
/// queued --QueueDelay--> running --RunDuration + render--> succeeded
///   |                       |--[ark:fail=X] / [ark:reject]--> failed
///   |                       |--render failed--> failed (InternalServiceError)
///   |                       `--[ark:hang]--> (stays running)
///   |--[ark:expired]--> expired (never ran)
///   `--DELETE--> cancelled
/// </code>
/// Every change happens under the task's lock and announces the entered state to the
/// callback sink in the same lock, so callbacks of one task go out in the order the states were
/// entered, whichever thread (the background loop or a read) moved the task.
/// </summary>
internal sealed class ArkTask
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Expired = "expired";

    private readonly Lock _gate = new();
    private readonly DateTimeOffset _queuedUntil;
    private DateTimeOffset _runningUntil;
    private Task<string?>? _render;
    private Task<string?>? _lastFrame;
    private DateTimeOffset? _renderSeenDoneAt;
    private bool _published;
    private string? _videoUrl;
    private string? _lastFrameUrl;
    private string? _errorCode;
    private string? _errorMessage;

    public ArkTask(string id, long sequence, CreateTaskRequest request, TaskScript script, GenerationSpec spec, DateTimeOffset now, TimeSpan queueDelay)
    {
        Id = id;
        Sequence = sequence;
        Request = request;
        Script = script;
        Spec = spec;
        CreatedAt = UpdatedAt = now;
        _queuedUntil = now + queueDelay;
    }

    public string Id { get; }

    /// <summary>Creation order, for newest-first lists.</summary>
    public long Sequence { get; }

    public CreateTaskRequest Request { get; }

    public TaskScript Script { get; }

    /// <summary>What is rendered: effective ratio, exact size, concrete seed and duration.</summary>
    public GenerationSpec Spec { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public string Status { get; private set; } = Queued;

    /// <summary>The tail of this task's callback deliveries (the dispatcher chains each new one after it).</summary>
    public Task CallbackTail { get; set; } = Task.CompletedTask;

    /// <summary>
    /// Announces the queued state; until then the task does not move. The store adds the task to
    /// its index first and publishes it after, so no reader can announce "running" before "queued".
    /// </summary>
    public void Publish(TaskMachine machine)
    {
        lock (_gate)
        {
            _published = true;
            machine.Announce(this, ViewLocked());
        }
    }

    /// <summary>Moves the task as far as <paramref name="now"/> allows.</summary>
    public void Advance(DateTimeOffset now, TaskMachine machine)
    {
        lock (_gate)
        {
            AdvanceLocked(now, machine);
        }
    }

    /// <summary>DELETE: a queued task is cancelled; finished ones are to be removed; running and cancelled ones refuse.</summary>
    public (DeleteOutcome Outcome, string Status) Delete(DateTimeOffset now, TaskMachine machine)
    {
        lock (_gate)
        {
            AdvanceLocked(now, machine);
            switch (Status)
            {
                case Queued:
                    Enter(Cancelled, now);
                    machine.Announce(this, ViewLocked());
                    return (DeleteOutcome.Cancelled, Queued);
                case Running or Cancelled:
                    return (DeleteOutcome.Refused, Status);
                default:
                    return (DeleteOutcome.Remove, Status);
            }
        }
    }

    public TaskObject View()
    {
        lock (_gate)
        {
            return ViewLocked();
        }
    }

    public ArkTaskSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new ArkTaskSnapshot(Id, Request.Model, Status, Request.Prompt, Spec.Ratio, Spec.Resolution, Spec.DurationSeconds, Spec.Seed,
                Spec.Audio, Request.CallbackUrl, CreatedAt, UpdatedAt, _videoUrl, _errorCode, _errorMessage)
            {
                Content = Request.Content,
                ReturnLastFrame = Request.ReturnLastFrame,
                LastFrameUrl = _lastFrameUrl,
            };
        }
    }

    private void AdvanceLocked(DateTimeOffset now, TaskMachine machine)
    {
        while (Step(now, machine))
        {
            machine.Announce(this, ViewLocked());
        }
    }

    /// <summary>
    /// One transition, if one is due by <paramref name="now"/>. A transition happens at its due
    /// time, not when someone looks: running starts when the queue delay ends, and ends a run
    /// duration later (or when the render finished, if later). So timestamps and outcomes do not
    /// depend on how often, or when, the task is read.
    /// </summary>
    private bool Step(DateTimeOffset now, TaskMachine machine)
    {
        if (!_published)
        {
            return false;
        }

        switch (Status)
        {
            case Queued when now >= _queuedUntil:
                if (Script.NeverRuns)
                {
                    Enter(Expired, _queuedUntil);
                    return true;
                }

                Enter(Running, _queuedUntil);
                _runningUntil = _queuedUntil + (Script.RunDuration ?? machine.Options.RunDuration);
                if (Script.NeedsRender)
                {
                    _render = machine.Renders.GetAsync(Spec);
                    _lastFrame = Request.ReturnLastFrame ? machine.Renders.GetLastFrameAsync(Spec) : null;
                    // Finish as soon as the render does (on the pool, never inside this lock); the
                    // background loop would get there too, a tick later.
                    (_lastFrame is null ? (Task)_render : Task.WhenAll(_render, _lastFrame)).ContinueWith(_ => machine.RenderFinished(this), CancellationToken.None, TaskContinuationOptions.RunContinuationsAsynchronously, TaskScheduler.Default);
                }

                return true;
            case Running when !Script.Hangs && now >= _runningUntil:
                if (Script.FailCode is { } code)
                {
                    Enter(Failed, _runningUntil, code, Script.FailMessage);
                    return true;
                }

                if (_render is not { IsCompleted: true } render || _lastFrame is { IsCompleted: false })
                {
                    return false;
                }

                var seen = _renderSeenDoneAt ??= now;
                var at = seen > _runningUntil ? seen : _runningUntil;
                if (!render.IsCompletedSuccessfully || render.Result is not { } path
                    || (_lastFrame is { } frame && (!frame.IsCompletedSuccessfully || frame.Result is null)))
                {
                    Enter(Failed, at, "InternalServiceError", "The service encountered an unexpected internal error while generating the video.");
                    return true;
                }

                var expiresAt = Script.ExpireVideoAtOnce ? at : at + machine.Options.VideoUrlLifetime;
                (_videoUrl, _lastFrameUrl) = machine.PublishVideo(Id, path, _lastFrame?.Result, expiresAt);
                Enter(Succeeded, at);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The render is done: note when (on the task's clock), then move along.</summary>
    public void RenderFinished(DateTimeOffset now, TaskMachine machine)
    {
        lock (_gate)
        {
            _renderSeenDoneAt ??= now;
        }

        Advance(now, machine);
    }

    private void Enter(string status, DateTimeOffset now, string? errorCode = null, string? errorMessage = null)
    {
        Status = status;
        UpdatedAt = now;
        _errorCode = errorCode;
        _errorMessage = errorMessage;
    }

    private TaskObject ViewLocked()
    {
        var succeeded = Status == Succeeded;
        var tokens = SeedanceSizes.Tokens(Spec.Width, Spec.Height, Spec.DurationSeconds);
        return new TaskObject(
            Id,
            Request.Model,
            Status,
            succeeded ? new TaskContent(_videoUrl!, _lastFrameUrl) : null,
            succeeded ? new TaskUsage(tokens, tokens, Spec.WebSearch ? new ToolUsage(1) : null) : null,
            _errorCode is { } code ? new TaskError(code, _errorMessage ?? "") : null,
            Spec.Seed,
            Spec.Resolution,
            Spec.Ratio,
            Spec.DurationSeconds,
            Spec.Fps,
            Spec.Audio,
            CreatedAt.ToUnixTimeSeconds(),
            UpdatedAt.ToUnixTimeSeconds());
    }
}

internal enum DeleteOutcome
{
    Cancelled,
    Remove,
    Refused,
}
