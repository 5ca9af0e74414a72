using Microsoft.Extensions.Options;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Core.Results;
using Reelgate.Core.Tasks;
using Reelgate.Server.Options;

namespace Reelgate.Server.Workers;

/// <summary>
/// Runs one claimed task to its end: content policy, engine (with heartbeats and a timeout),
/// result upload, then success or fail-with-refund. Delivery guarantee at each checkpoint:
/// <list type="bullet">
/// <item>Before the engine starts: nothing is recorded; a crash here re-runs the task after the lease expires (at least once).</item>
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
    RunningTasks running,
    Events.TaskEventHub events,
    Observability.ReelgateMetrics metrics,
    TimeProvider time,
    IOptions<ReelgateOptions> options,
    ILogger<TaskProcessor> log)
{
    private readonly ReelgateOptions _options = options.Value;

    public string WorkDirectory => Path.Combine(_options.DataDirectory, "work");

    public async Task ProcessAsync(ClaimedTask claimed, CancellationToken stopping)
    {
        var task = claimed.Task;
        var token = claimed.LeaseToken;
        LogClaimed(task.TaskId, claimed.Attempt);
        events.Publish(task.AccountId, task.TaskId, TaskState.Waiting, 0, null, task.UpdateTime);

        if (!catalog.TryGet(task.Model, out var model))
        {
            await FailAsync(task, token, FailCodes.InternalError, "the task's model is no longer in the catalog; the cost was refunded");
            return;
        }

        // The spec was resolved and validated once, at create; a task stored before specs were is
        // read from its stored (already validated) input.
        var spec = task.Spec ?? StoredInput.Resolve(model, task.Input, task.Seed);
        if (spec is null)
        {
            await FailAsync(task, token, FailCodes.InternalError, "the stored input no longer resolves against the catalog; the cost was refunded");
            return;
        }

        if (ModelCatalog.ViolatesContentPolicy(model, spec))
        {
            await FailAsync(task, token, FailCodes.ContentPolicyViolation, "the prompt matches the content policy; no video was produced and the cost was refunded");
            return;
        }

        var route = router.Route(model, task.TaskId);
        if (route.Count == 0)
        {
            await FailAsync(task, token, FailCodes.GenerationFailed, $"no engine of model {model.Id}'s route is available on this server; the cost was refunded");
            return;
        }

        // Attempts an earlier claim left running were interrupted (its worker died or lost the
        // lease). The newest one's engine goes first, so an upstream task it started is resumed,
        // never created twice.
        var previous = await attempts.ListAsync(task.TaskId, stopping);
        var interrupted = previous.LastOrDefault(a => a.Outcome == AttemptOutcomes.Running);
        foreach (var open in previous.Where(a => a.Outcome == AttemptOutcomes.Running))
        {
            await attempts.EndAsync(open.Id, AttemptOutcomes.Interrupted, null, $"claim {claimed.Attempt} took the task over", null, Now(), stopping);
            metrics.AttemptEnded(open.Engine, AttemptOutcomes.Interrupted, null);
        }

        if (interrupted is not null)
        {
            route = [.. route.OrderBy(e => e.Name == interrupted.Engine ? 0 : 1)];
        }

        Directory.CreateDirectory(WorkDirectory);
        var output = Path.Combine(WorkDirectory, $"{task.TaskId}-{claimed.Attempt}.mp4");
        var poster = Path.Combine(WorkDirectory, $"{task.TaskId}-{claimed.Attempt}.jpg");
        using var leaseLost = new CancellationTokenSource();
        using var timeout = new CancellationTokenSource(_options.EngineTimeout, time);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(stopping, leaseLost.Token, timeout.Token);
        var progress = new ProgressTracker();
        var heartbeat = HeartbeatAsync(task, token, progress, leaseLost, run.Token);
        running.Register(task.TaskId, leaseLost);
        AttemptJournal? current = null;
        IVideoEngine? currentEngine = null;
        try
        {
            EngineResult result = EngineResult.Failure(FailCodes.GenerationFailed, "no engine ran");
            for (var i = 0; i < route.Count; i++)
            {
                var engine = route[i];
                var carried = interrupted is not null && interrupted.Engine == engine.Name ? interrupted : null;
                var attemptId = await attempts.BeginAsync(task.TaskId, claimed.Attempt, engine.Name, carried?.UpstreamId, Now(), stopping);
                current = new AttemptJournal(attempts, attemptId, carried?.UpstreamId, carried is { UpstreamId: null } ? carried.StartedAt : null);
                currentEngine = engine;
                var runStarted = time.GetTimestamp();
                var runOutcome = AttemptOutcomes.Interrupted; // unless it returns: shutdown, lease lost, or a fault
                try
                {
                    result = await engine.GenerateAsync(new EngineJob(task.TaskId, spec, output, poster, current), progress, run.Token);
                    runOutcome = result.Succeeded ? AttemptOutcomes.Succeeded : AttemptOutcomes.Failed;
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested && !leaseLost.IsCancellationRequested)
                {
                    result = EngineResult.Failure(FailCodes.Timeout, $"generation took longer than {_options.EngineTimeout}; the cost was refunded");
                    runOutcome = AttemptOutcomes.Failed;
                }
                finally
                {
                    metrics.GenerationRan(engine.Name, runOutcome, time.GetElapsedTime(runStarted));
                }

                if (result.Succeeded)
                {
                    router.Succeeded(engine.Name);
                    await attempts.EndAsync(attemptId, AttemptOutcomes.Succeeded, null, null, current.Usage, Now(), CancellationToken.None);
                    metrics.AttemptEnded(engine.Name, AttemptOutcomes.Succeeded, null);
                    break;
                }

                if (result.Failover)
                {
                    router.Failed(engine.Name);
                }

                var next = result.Failover && i + 1 < route.Count;
                await attempts.EndAsync(attemptId, next ? AttemptOutcomes.FailedOver : AttemptOutcomes.Failed, result.FailCode, result.FailMessage, current.Usage, Now(), CancellationToken.None);
                metrics.AttemptEnded(engine.Name, next ? AttemptOutcomes.FailedOver : AttemptOutcomes.Failed, result.FailCode);
                current = null;
                if (!next)
                {
                    break;
                }

                LogFailover(task.TaskId, engine.Name, result.FailCode ?? "", route[i + 1].Name);
                TryDelete(output);
                TryDelete(poster);
                interrupted = null;
            }

            await run.CancelAsync();
            await heartbeat;
            if (!result.Succeeded)
            {
                await FailAsync(task, token, result.FailCode ?? FailCodes.GenerationFailed, result.FailMessage ?? "generation failed");
                return;
            }

            string key;
            string? thumbnailKey = null;
            try
            {
                key = await results.PutAsync(task.TaskId, "video.mp4", output, stopping);
                if (File.Exists(poster))
                {
                    thumbnailKey = await results.PutAsync(task.TaskId, "thumb.jpg", poster, stopping);
                }
            }
            catch (IOException e)
            {
                LogStoreFailed(task.TaskId, e.GetType().Name);
                await FailAsync(task, token, FailCodes.InternalError, "the result could not be stored; the cost was refunded");
                return;
            }

            var endedAt = Now();
            if (await queue.SucceedAsync(task.TaskId, token, key, thumbnailKey, endedAt, CancellationToken.None))
            {
                metrics.TaskEnded(task.Model, TaskState.Success, null, 0);
                events.Publish(task.AccountId, task.TaskId, TaskState.Success, 100, null, endedAt);
                LogSucceeded(task.TaskId);
            }
            else
            {
                LogLeaseLost(task.TaskId);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested || leaseLost.IsCancellationRequested)
        {
            // Shutdown or lease lost: the attempt stays running. The lease expires and the task is
            // claimed again (at least once), and that claim resumes the attempt's upstream task;
            // if another worker already owns it, that one ends it.
            if (stopping.IsCancellationRequested && !leaseLost.IsCancellationRequested)
            {
                // Graceful shutdown past its grace: give the task back now, not after the lease.
                var released = await queue.ReleaseAsync(task.TaskId, token, Now(), CancellationToken.None);
                LogReleased(task.TaskId, released);
            }
            else
            {
                LogAbandoned(task.TaskId);
            }

            if (leaseLost.IsCancellationRequested && current is not null)
            {
                await EndAbandonedAttemptAsync(task.TaskId, current, currentEngine);
            }
        }
        finally
        {
            running.Unregister(task.TaskId);
            await run.CancelAsync();
            await heartbeat;
            TryDelete(output);
            TryDelete(poster);
        }
    }

    /// <summary>
    /// The lease was lost while an attempt ran. If the task has ended meanwhile (the client
    /// cancelled it), nobody will resume the attempt: its upstream task is cancelled (best
    /// effort) and the attempt is ended. If the task still waits, another claim resumes it.
    /// </summary>
    private async Task EndAbandonedAttemptAsync(string taskId, AttemptJournal attempt, IVideoEngine? engine)
    {
        try
        {
            var now = await store.GetAsync(taskId, CancellationToken.None);
            if (now is null || now.State == TaskState.Waiting)
            {
                return;
            }

            if (attempt.UpstreamId is { } upstreamId && engine is IUpstreamEngine upstream)
            {
                using var cancelTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await upstream.CancelUpstreamAsync(upstreamId, cancelTimeout.Token);
            }

            await attempts.EndAsync(attempt.Id, AttemptOutcomes.Failed, now.FailCode, "the task ended while this attempt ran (" + (now.FailCode ?? now.State) + ")", attempt.Usage, Now(), CancellationToken.None);
            metrics.AttemptEnded(engine?.Name ?? "unknown", AttemptOutcomes.Failed, now.FailCode);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogAttemptEndFailed(taskId, e.GetType().Name);
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
        }
        else
        {
            LogLeaseLost(task.TaskId);
        }
    }

    /// <summary>
    /// Renews the lease every third of its length, and writes progress at most once a second
    /// while it changes. A renewal that finds the lease gone cancels the engine.
    /// </summary>
    private async Task HeartbeatAsync(TaskRecord task, string token, ProgressTracker progress, CancellationTokenSource leaseLost, CancellationToken ct)
    {
        var taskId = task.TaskId;
        var renewEvery = _options.Lease / 3;
        var lastRenew = time.GetTimestamp();
        var lastProgress = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, ct);
                var current = progress.Value;
                if (current == lastProgress && time.GetElapsedTime(lastRenew) < renewEvery)
                {
                    continue;
                }

                var now = Now();
                if (!await queue.HeartbeatAsync(taskId, token, now, _options.Lease, current, ct))
                {
                    LogLeaseLost(taskId);
                    await leaseLost.CancelAsync();
                    return;
                }

                if (current != lastProgress)
                {
                    events.Publish(task.AccountId, taskId, TaskState.Waiting, current, null, now);
                }

                lastRenew = time.GetTimestamp();
                lastProgress = current;
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for the next start's cleanup of the work directory.
        }
    }

    /// <summary>Latest progress reported by the engine (0-100), read by the heartbeat.</summary>
    private sealed class ProgressTracker : IProgress<int>
    {
        private int _value;

        public int Value => Volatile.Read(ref _value);

        public void Report(int value) => Volatile.Write(ref _value, Math.Clamp(value, Value, 100));
    }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "task {TaskId}: ending the abandoned attempt failed ({Error})")]
    private partial void LogAttemptEndFailed(string taskId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "task {TaskId}: storing the result failed ({Error})")]
    private partial void LogStoreFailed(string taskId, string error);
}
