using Microsoft.Extensions.Options;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Core.Results;
using Reelgate.Core.Tasks;
using Reelgate.Server.Options;

namespace Reelgate.Server.Workers;

/// <summary>
/// Runs one claimed task to its end, in steps named for what they do: the claim
/// (<see cref="ProcessAsync"/>), the engine's request (<c>RequestFor</c>: catalog, stored input,
/// content policy), the route (with an interrupted attempt's engine first), the media inputs
/// (<see cref="Inputs.InputPreparer"/>: fetched, checked, stored; a bad one fails the task with
/// <c>input_invalid</c> and a refund), each engine's
/// attempt under heartbeats and the engine timeout, storing the result, and finishing with
/// success or fail-with-refund. Delivery guarantee at each checkpoint:
/// <list type="bullet">
/// <item>Before the engine starts: nothing is recorded but the checked inputs, stored under the task's keys so a re-run uses the same bytes; a crash here re-runs the task after the lease expires (at least once).</item>
/// <item>While the engine runs: heartbeats extend the lease; if one finds the lease lost, the engine is cancelled, because another worker owns the task now.</item>
/// <item>After the engine: the file is stored first, then <see cref="ITaskQueue.SucceedAsync"/> ends the task only if our lease still holds, so a task ends (and is charged) exactly once even if generation ran twice.</item>
/// </list>
/// </summary>
public sealed partial class TaskProcessor(
    ITaskQueue queue,
    ITaskStore store,
    IEngineAttempts attempts,
    ModelCatalog catalog,
    EngineRouter router,
    IResultStore results,
    Inputs.InputPreparer inputs,
    RunningTasks running,
    Events.TaskEventHub events,
    Observability.ReelgateMetrics metrics,
    QueueEta eta,
    TimeProvider time,
    IOptions<ReelgateOptions> options,
    ILogger<TaskProcessor> log)
{
    private readonly ReelgateOptions _options = options.Value;
    private readonly TaskOutputFiles _files = new(results, log, options.Value.FfmpegPath);
    private readonly AbandonedAttempts _abandoned = new(store, attempts, metrics, time, log);

    public WorkDirectory Work { get; } = new(options.Value.DataDirectory);

    /// <summary>Claim: a task this worker now leases runs to its end (or until shutdown or a lost lease).</summary>
    public async Task ProcessAsync(ClaimedTask claimed, CancellationToken stopping)
    {
        var started = time.GetTimestamp();
        var task = claimed.Task;
        LogClaimed(task.TaskId, claimed.Attempt);
        events.Publish(task.AccountId, task.TaskId, TaskState.Waiting, 0, null, task.UpdateTime);

        // Nothing is recorded before the engine starts: a crash up to there re-runs the task
        // after its lease expires (at least once).
        var (request, refusal) = RequestFor(task);
        if (request is null)
        {
            await FailAsync(task, claimed.LeaseToken, refusal.Code, refusal.Message);
            return;
        }

        var route = await RouteAsync(claimed, request.Model, stopping);
        if (route.Count == 0)
        {
            return;
        }

        var interrupted = await TakeOverInterruptedAsync(claimed, stopping);
        if (interrupted is not null)
        {
            route = [.. route.OrderBy(e => e.Name == interrupted.Engine ? 0 : 1)];
        }

        using var run = new ClaimRun(claimed, request.Spec, Work.ClaimFiles(task.TaskId, claimed.Attempt), _options.EngineTimeout, time, stopping)
        {
            Interrupted = interrupted,
            InputDirectory = Work.ClaimInputs(task.TaskId, claimed.Attempt),
            StageStarted = started,
            LastFrame = request.Spec.ReturnLastFrame ? Work.ClaimLastFrame(task.TaskId, claimed.Attempt) : null,
        };
        await RunAsync(run, request.Model, route);
    }

    /// <summary>What the engines are asked to make for a claimed task, or why it can no longer run (the refund's reason).</summary>
    private (EngineRequest? Request, Refusal Refusal) RequestFor(TaskRecord task)
    {
        if (!catalog.TryGet(task.Model, out var model))
        {
            return (null, new(FailCodes.InternalError, "the task's model is no longer in the catalog; the cost was refunded"));
        }

        // The spec was resolved and validated once, at create; a task stored before specs were is
        // read from its stored (already validated) input.
        var spec = task.Spec ?? StoredInput.Resolve(model, task.Input, task.Seed);
        if (spec is null)
        {
            return (null, new(FailCodes.InternalError, "the stored input no longer resolves against the catalog; the cost was refunded"));
        }

        if (ModelCatalog.ViolatesContentPolicy(model, spec))
        {
            return (null, new(FailCodes.ContentPolicyViolation, "the prompt matches the content policy; no video was produced and the cost was refunded"));
        }

        return (new EngineRequest(model, spec), default);
    }

    /// <summary>Route: the engines to try, in order; none available fails the task with a refund.</summary>
    private async Task<IReadOnlyList<IVideoEngine>> RouteAsync(ClaimedTask claimed, ModelDefinition model, CancellationToken stopping)
    {
        var route = router.Route(model, claimed.Task.TaskId);
        if (route.Count == 0)
        {
            await FailAsync(claimed.Task, claimed.LeaseToken, FailCodes.GenerationFailed, $"no engine of model {model.Id}'s route is available on this server; the cost was refunded");
        }

        return route;
    }

    /// <summary>
    /// Attempts an earlier claim left running were interrupted (its worker died or lost the
    /// lease): they are ended as such, and the newest one is returned so that its engine goes
    /// first and resumes the upstream task it started, never creating a second one.
    /// </summary>
    private async Task<EngineAttempt?> TakeOverInterruptedAsync(ClaimedTask claimed, CancellationToken stopping)
    {
        if (!claimed.HasRunningAttempts)
        {
            return null; // the claim saw none: one round trip less before the engine starts
        }

        var previous = await attempts.ListAsync(claimed.Task.TaskId, stopping);
        foreach (var open in previous.Where(a => a.Outcome == AttemptOutcomes.Running))
        {
            await attempts.EndAsync(open.Id, AttemptOutcomes.Interrupted, null, $"claim {claimed.Attempt} took the task over", null, Now(), stopping);
            metrics.AttemptEnded(open.Engine, AttemptOutcomes.Interrupted, null);
        }

        return previous.LastOrDefault(a => a.Outcome == AttemptOutcomes.Running);
    }

    /// <summary>Prepares the inputs and runs the route under heartbeats, then finishes the task; shutdown or a lost lease abandons it instead.</summary>
    private async Task RunAsync(ClaimRun run, ModelDefinition model, IReadOnlyList<IVideoEngine> route)
    {
        var heartbeat = new LeaseHeartbeat(queue, events, time, _options.Lease, log).RunAsync(run);
        running.Register(run.Task.TaskId, run.LeaseLost);
        try
        {
            var result = await PrepareInputsAsync(run, model) ?? await TryRouteAsync(run, route);
            await run.CancelAsync();
            await heartbeat;
            await FinishAsync(run, result);
        }
        catch (OperationCanceledException) when (run.Stopping.IsCancellationRequested || run.LeaseLost.IsCancellationRequested)
        {
            await AbandonAsync(run);
        }
        finally
        {
            running.Unregister(run.Task.TaskId);
            await run.CancelAsync();
            await heartbeat;
            TryDelete(run.Video);
            TryDelete(run.Poster);
            TryDelete(run.LastFrame);
            Inputs.InputPreparer.DeleteDirectory(run.InputDirectory);
        }
    }

    /// <summary>
    /// Inputs: fetched (or read back from the store), checked and stored before any engine runs;
    /// null when ready, else the failure that ends the task with a refund. Shutdown or a lost
    /// lease throws (the task re-runs; the preparer leaves no partial files). Not under the
    /// engine timeout, which starts again once the inputs are ready: each fetch has its own
    /// (<c>Reelgate:Inputs:FetchTimeout</c>).
    /// </summary>
    private async Task<EngineResult?> PrepareInputsAsync(ClaimRun run, ModelDefinition model)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(run.Stopping, run.LeaseLost.Token);
        var prepared = await inputs.PrepareAsync(run.Task.TaskId, run.Task.AccountId, model, run.Spec, run.InputDirectory, stop.Token);
        if (!prepared.Ok)
        {
            LogInputRefused(run.Task.TaskId, prepared.Problem!);
            return EngineResult.Failure(prepared.FailCode ?? FailCodes.InputInvalid, prepared.Problem!);
        }

        run.Spec = prepared.Spec;
        run.Media = prepared.Media;
        if (prepared.Media.Count > 0)
        {
            run.EngineTimeout.CancelAfter(_options.EngineTimeout); // the engines get their whole time, fetching aside
        }

        return null;
    }

    /// <summary>Each engine of the route in turn, until one succeeds or one fails for a reason the next would share.</summary>
    private async Task<EngineResult> TryRouteAsync(ClaimRun run, IReadOnlyList<IVideoEngine> route)
    {
        var result = EngineResult.Failure(FailCodes.GenerationFailed, "no engine ran");
        for (var i = 0; i < route.Count; i++)
        {
            var engine = route[i];
            result = await AttemptAsync(run, engine);
            if (result.Succeeded)
            {
                router.Succeeded(engine.Name);
                await EndAttemptAsync(run.Current!, engine, AttemptOutcomes.Succeeded, null, null);
                return result;
            }

            if (result.Failover)
            {
                router.Failed(engine.Name);
            }

            var next = result.Failover && i + 1 < route.Count;
            await EndAttemptAsync(run.Current!, engine, next ? AttemptOutcomes.FailedOver : AttemptOutcomes.Failed, result.FailCode, result.FailMessage);
            run.Current = null;
            if (!next)
            {
                return result;
            }

            LogFailover(run.Task.TaskId, engine.Name, result.FailCode ?? "", route[i + 1].Name);
            TryDelete(run.Video);
            TryDelete(run.Poster);
            TryDelete(run.LastFrame);
            run.Interrupted = null;
        }

        return result;
    }

    /// <summary>
    /// Attempt: one engine's go, journaled before it starts (so a crash leaves it <c>running</c>
    /// for the next claim to find). It carries the interrupted attempt's upstream id when it is
    /// that attempt's engine. The timeout becomes a result; shutdown and a lost lease propagate.
    /// </summary>
    private async Task<EngineResult> AttemptAsync(ClaimRun run, IVideoEngine engine)
    {
        var carried = run.Interrupted is { } interrupted && interrupted.Engine == engine.Name ? interrupted : null;
        var attemptId = await attempts.BeginAsync(run.Task.TaskId, run.Claimed.Attempt, engine.Name, carried?.UpstreamId, Now(), run.Stopping);
        run.Current = new AttemptJournal(attempts, attemptId, carried?.UpstreamId, carried is { UpstreamId: null } ? carried.StartedAt : null);
        run.CurrentEngine = engine;
        var started = Lap(run, "prepare");
        var outcome = AttemptOutcomes.Interrupted; // unless it returns: shutdown, lease lost, or a fault
        try
        {
            var result = await engine.GenerateAsync(new EngineJob(run.Task.TaskId, run.Spec, run.Video, run.Poster, run.Current) { Media = run.Media, LastFramePath = run.LastFrame }, run.Progress, run.Token);
            outcome = result.Succeeded ? AttemptOutcomes.Succeeded : AttemptOutcomes.Failed;
            return result;
        }
        catch (OperationCanceledException) when (run.TimedOut)
        {
            outcome = AttemptOutcomes.Failed;
            return EngineResult.Failure(FailCodes.Timeout, $"generation took longer than {_options.EngineTimeout}; the cost was refunded");
        }
        finally
        {
            metrics.GenerationRan(engine.Name, outcome, time.GetElapsedTime(started));
            Lap(run, "render");
        }
    }

    /// <summary>Ends the run's current stage (recorded in <c>reelgate.task.stage_duration</c>) and starts the next; returns the new start.</summary>
    private long Lap(ClaimRun run, string stage)
    {
        var now = time.GetTimestamp();
        metrics.TaskStage(stage, time.GetElapsedTime(run.StageStarted, now));
        run.StageStarted = now;
        return now;
    }

    private async Task EndAttemptAsync(AttemptJournal attempt, IVideoEngine engine, string outcome, string? failCode, string? detail)
    {
        await attempts.EndAsync(attempt.Id, outcome, failCode, detail, attempt.Usage, Now(), CancellationToken.None);
        metrics.AttemptEnded(engine.Name, outcome, failCode);
    }

    /// <summary>
    /// Finish: a failure ends the task with a refund. A success stores the files first, then
    /// ends the task only if our lease still holds, so a task ends (and is charged) exactly once
    /// even if generation ran twice.
    /// </summary>
    private async Task FinishAsync(ClaimRun run, EngineResult result)
    {
        var task = run.Task;
        if (!result.Succeeded)
        {
            await FailAsync(task, run.LeaseToken, result.FailCode ?? FailCodes.GenerationFailed, result.FailMessage ?? "generation failed");
            return;
        }

        Lap(run, "finish");
        if (await StoreResultAsync(run) is not { } stored)
        {
            return;
        }

        Lap(run, "store");
        var endedAt = Now();
        var succeeded = await queue.SucceedAsync(task.TaskId, run.LeaseToken, stored.Video, stored.Thumbnail, endedAt, CancellationToken.None);
        Lap(run, "commit");
        if (succeeded)
        {
            metrics.TaskEnded(task.Model, TaskState.Success, null, 0);
            eta.Completed(task.Model);
            events.Publish(task.AccountId, task.TaskId, TaskState.Success, 100, null, endedAt);
            LogSucceeded(task.TaskId);
        }
        else
        {
            LogLeaseLost(task.TaskId);
        }
    }

    /// <summary>Store result: the files go to the result store (<see cref="TaskOutputFiles"/>); a broken store fails the task with a refund.</summary>
    private async Task<(string Video, string? Thumbnail)?> StoreResultAsync(ClaimRun run)
    {
        try
        {
            return await _files.StoreAsync(run);
        }
        catch (IOException e)
        {
            LogStoreFailed(run.Task.TaskId, e.GetType().Name);
            await FailAsync(run.Task, run.LeaseToken, FailCodes.InternalError, "the result could not be stored; the cost was refunded");
            return null;
        }
    }

    /// <summary>
    /// Shutdown or lease lost: the attempt stays running. The lease expires and the task is
    /// claimed again (at least once), and that claim resumes the attempt's upstream task; if
    /// another worker already owns it, that one ends it.
    /// </summary>
    private async Task AbandonAsync(ClaimRun run)
    {
        var taskId = run.Task.TaskId;
        if (run.Stopping.IsCancellationRequested && !run.LeaseLost.IsCancellationRequested)
        {
            // Graceful shutdown past its grace: give the task back now, not after the lease.
            var released = await queue.ReleaseAsync(taskId, run.LeaseToken, Now(), CancellationToken.None);
            LogReleased(taskId, released);
        }
        else
        {
            LogAbandoned(taskId);
        }

        if (run.LeaseLost.IsCancellationRequested && run.Current is not null)
        {
            await _abandoned.EndAsync(taskId, run.Current, run.CurrentEngine);
        }

        if (run.LeaseLost.IsCancellationRequested && run.Spec.Media.Count > 0)
        {
            await _files.DeleteInputsIfFailedAsync(store, taskId); // e.g. the client cancelled it while its inputs were fetched
        }
    }

    private async Task FailAsync(TaskRecord task, string token, string code, string message)
    {
        var now = Now();
        if (await queue.FailAsync(task.TaskId, token, code, message, now, CancellationToken.None))
        {
            metrics.TaskEnded(task.Model, TaskState.Fail, code, task.Cost); // FailAsync refunded the cost in its transaction
            events.Publish(task.AccountId, task.TaskId, TaskState.Fail, task.Progress, code, now);
            LogFailed(task.TaskId, code);
            await _files.DeleteInputsAsync(task);
        }
        else
        {
            LogLeaseLost(task.TaskId);
        }
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static void TryDelete(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the next start's cleanup of the work directory.
        }
    }

    /// <summary>What the engines are asked to make: the task's model (for its route) and the resolved spec.</summary>
    private sealed record EngineRequest(ModelDefinition Model, GenerationSpec Spec);

    /// <summary>Why a claimed task cannot run: its fail code and the client's message.</summary>
    private readonly record struct Refusal(string Code, string Message);

    [LoggerMessage(Level = LogLevel.Information, Message = "task {TaskId} claimed (attempt {Attempt})")]
    private partial void LogClaimed(string taskId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "task {TaskId} succeeded")]
    private partial void LogSucceeded(string taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "task {TaskId} failed: {FailCode}")]
    private partial void LogFailed(string taskId, string failCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId}: lease lost; another attempt owns the task, this one records nothing")]
    private partial void LogLeaseLost(string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId}: stopped at shutdown and released to the queue ({Released})")]
    private partial void LogReleased(string taskId, bool released);

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId}: abandoned at shutdown; it will be claimed again after its lease expires")]
    private partial void LogAbandoned(string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId}: engine {Engine} failed ({FailCode}); failing over to {Next}")]
    private partial void LogFailover(string taskId, string engine, string failCode, string next);

    [LoggerMessage(Level = LogLevel.Information, Message = "task {TaskId}: media input refused: {Problem}")]
    private partial void LogInputRefused(string taskId, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "task {TaskId}: storing the result failed ({Error})")]
    private partial void LogStoreFailed(string taskId, string error);
}
