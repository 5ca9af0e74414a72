using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Core.Tasks;

namespace Reelgate.Server.Workers;

/// <summary>
/// One claim of a task while its route runs: what was claimed, the request, its media inputs,
/// where the output goes, the attempt in flight, and the three reasons a run stops early (server shutdown, lease
/// lost, engine timeout), joined in <see cref="Token"/>. <see cref="TaskProcessor"/> owns it
/// for the claim's lifetime.
/// </summary>
internal sealed class ClaimRun : IDisposable
{
    private readonly CancellationTokenSource _linked;

    public ClaimRun(ClaimedTask claimed, GenerationSpec spec, (string Video, string Poster) files, TimeSpan engineTimeout, TimeProvider time, CancellationToken stopping)
    {
        Claimed = claimed;
        Spec = spec;
        (Video, Poster) = files;
        Stopping = stopping;
        LeaseLost = new CancellationTokenSource();
        EngineTimeout = new CancellationTokenSource(engineTimeout, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, LeaseLost.Token, EngineTimeout.Token);
    }

    public ClaimedTask Claimed { get; }

    /// <summary>When the current stage began (a <see cref="TimeProvider"/> timestamp; see <c>reelgate.task.stage_duration</c>).</summary>
    public long StageStarted { get; set; }

    public TaskRecord Task => Claimed.Task;

    public string LeaseToken => Claimed.LeaseToken;

    /// <summary>The stored spec; after input preparation, with an adaptive ratio resolved from the first frame.</summary>
    public GenerationSpec Spec { get; set; }

    public string Video { get; }

    public string Poster { get; }

    /// <summary>Where the engine writes the last frame (PNG) when the spec asks for it; null otherwise.</summary>
    public string? LastFrame { get; init; }

    /// <summary>The claim's media input directory (deleted when the run ends).</summary>
    public required string InputDirectory { get; init; }

    /// <summary>The media inputs as checked local files, once prepared (empty for text-to-video).</summary>
    public IReadOnlyList<LocalMedia> Media { get; set; } = [];

    /// <summary>The server is stopping (past its grace): the task goes back to the queue.</summary>
    public CancellationToken Stopping { get; }

    /// <summary>Cancelled by the heartbeat (or a client's cancel) when another claim owns the task.</summary>
    public CancellationTokenSource LeaseLost { get; }

    /// <summary><c>Reelgate:EngineTimeout</c>, over the whole route.</summary>
    public CancellationTokenSource EngineTimeout { get; }

    /// <summary>What the engines and the heartbeat run under.</summary>
    public CancellationToken Token => _linked.Token;

    public ProgressTracker Progress { get; } = new();

    /// <summary>The attempt an earlier claim left running; its engine resumes its upstream task. Cleared after a failover.</summary>
    public EngineAttempt? Interrupted { get; set; }

    /// <summary>The attempt in flight (null once a failed one is ended), so an abandoned run can end it.</summary>
    public AttemptJournal? Current { get; set; }

    public IVideoEngine? CurrentEngine { get; set; }

    /// <summary>The engine was stopped by the timeout alone, not by shutdown or a lost lease.</summary>
    public bool TimedOut => EngineTimeout.IsCancellationRequested && !Stopping.IsCancellationRequested && !LeaseLost.IsCancellationRequested;

    public Task CancelAsync() => _linked.CancelAsync();

    public void Dispose()
    {
        _linked.Dispose();
        EngineTimeout.Dispose();
        LeaseLost.Dispose();
    }
}
