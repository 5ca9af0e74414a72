using System.Diagnostics.Metrics;

namespace Reelgate.Server.Observability;

/// <summary>
/// Reelgate's own instruments, on one meter <c>Reelgate</c> made by the host's
/// <see cref="IMeterFactory"/> (so two hosts in one process, as in the tests, never see each
/// other's numbers). Exported at <c>/metrics</c> and, when configured, over OTLP; the Prometheus
/// names are listed in docs/operations.md. Every label has a small, fixed set of values (models
/// of the catalog, engine names, failCodes): no task ids, accounts or URLs.
/// </summary>
public sealed class ReelgateMetrics
{
    public const string MeterName = "Reelgate";

    private readonly Counter<long> _created;
    private readonly Counter<long> _ended;
    private readonly Counter<long> _charged;
    private readonly Counter<long> _refunded;
    private readonly Histogram<double> _pickup;
    private readonly Histogram<double> _generation;
    private readonly Histogram<int> _claimBatch;
    private readonly Histogram<double> _stage;
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _engineFailures;
    private readonly Counter<long> _callbacks;

    public ReelgateMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _created = Meter.CreateCounter<long>("reelgate.tasks.created", "{task}", "Tasks created (charged), by model");
        _ended = Meter.CreateCounter<long>("reelgate.tasks.ended", "{task}", "Tasks ended, by model, state (success, fail) and fail_code (empty on success)");
        _charged = Meter.CreateCounter<long>("reelgate.credits.charged", "{credit}", "Credits charged at createTask, by model");
        _refunded = Meter.CreateCounter<long>("reelgate.credits.refunded", "{credit}", "Credits refunded to failed and cancelled tasks, by model");
        _pickup = Meter.CreateHistogram<double>("reelgate.task.pickup_latency", "s", "Time from a task's creation to its first claim by a worker", null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] });
        _generation = Meter.CreateHistogram<double>("reelgate.generation.duration", "s", "Time one engine took on one attempt, by engine and outcome", null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800] });
        _claimBatch = Meter.CreateHistogram<int>("reelgate.queue.claim_batch_size", "{task}", "Tasks one claim statement took (claims that took none are left out)", null,
            new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64] });
        _stage = Meter.CreateHistogram<double>("reelgate.task.stage_duration", "s", "Where a worker's time on a task goes, by stage: claim (the claim statement), prepare (claim to engine start: route, inputs, attempt journal), render (the engine), finish (attempt journal, heartbeat stop), store (result files), commit (the success transaction)", null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800] });
        _attempts = Meter.CreateCounter<long>("reelgate.engine.attempts", "{attempt}", "Engine attempts ended, by engine and outcome (succeeded, failed, failed_over, interrupted)");
        _engineFailures = Meter.CreateCounter<long>("reelgate.engine.failures", "{attempt}", "Engine attempts that failed or failed over, by engine and fail_code");
        _callbacks = Meter.CreateCounter<long>("reelgate.callback.deliveries", "{try}", "Callback tries, by outcome: delivered, retry (failed, another try is scheduled), failed (failed, no try left)");
    }

    /// <summary>The meter, for instruments kept elsewhere (the queue gauges).</summary>
    public Meter Meter { get; }

    /// <summary>A createTask that made a new task and charged <paramref name="cost"/> (not a replay).</summary>
    public void TaskCreated(string model, long cost)
    {
        var tag = new KeyValuePair<string, object?>("model", model);
        _created.Add(1, tag);
        _charged.Add(cost, tag);
    }

    /// <summary>A task this node ended; <paramref name="refunded"/> is what the failure gave back.</summary>
    public void TaskEnded(string model, string state, string? failCode, long refunded)
    {
        var tag = new KeyValuePair<string, object?>("model", model);
        _ended.Add(1, tag, new("state", state), new("fail_code", failCode ?? ""));
        if (refunded > 0)
        {
            _refunded.Add(refunded, tag);
        }
    }

    /// <summary>Tasks the leader's sweep failed, and refunded, after too many attempts.</summary>
    public void TasksSwept(IReadOnlyList<Core.Tasks.SweptTask> failed)
    {
        foreach (var t in failed)
        {
            TaskEnded(t.Model, "fail", Core.Tasks.FailCodes.InternalError, t.Cost);
        }
    }

    /// <summary>A worker claimed a task for the first time, <paramref name="latency"/> after it was created.</summary>
    public void TaskPickedUp(TimeSpan latency) => _pickup.Record(Math.Max(0, latency.TotalSeconds));

    /// <summary>A worker dispatcher's claim took <paramref name="tasks"/> (more than none) in one statement.</summary>
    public void TasksClaimed(int tasks) => _claimBatch.Record(tasks);

    /// <summary>One stage of a worker's run of a task took <paramref name="duration"/> (see the instrument's description).</summary>
    public void TaskStage(string stage, TimeSpan duration) =>
        _stage.Record(Math.Max(0, duration.TotalSeconds), new KeyValuePair<string, object?>("stage", stage));

    /// <summary>One engine's run on one attempt ended (<paramref name="outcome"/>: succeeded, failed or cancelled).</summary>
    public void GenerationRan(string engine, string outcome, TimeSpan duration) =>
        _generation.Record(duration.TotalSeconds, new("engine", engine), new("outcome", outcome));

    /// <summary>An engine attempt ended; failures (failed, failed_over) are also counted by failCode.</summary>
    public void AttemptEnded(string engine, string outcome, string? failCode)
    {
        _attempts.Add(1, new("engine", engine), new("outcome", outcome));
        if (outcome is Core.Engines.AttemptOutcomes.Failed or Core.Engines.AttemptOutcomes.FailedOver)
        {
            _engineFailures.Add(1, new("engine", engine), new("fail_code", failCode ?? ""));
        }
    }

    /// <summary>One callback try: delivered, retry or failed (given up).</summary>
    public void CallbackTried(string outcome) => _callbacks.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
