namespace Reelgate.Core.Engines;

/// <summary>
/// The durable journal of engine attempts. An upstream engine records the upstream task id the
/// moment the upstream accepts it, before anything else, so a crash never leads to a second
/// upstream task: the next claim finds the open attempt and resumes it.
/// </summary>
public interface IEngineAttempts
{
    /// <summary>Opens an attempt (outcome <c>running</c>) and returns its id.</summary>
    Task<long> BeginAsync(string taskId, int claim, string engine, string? upstreamId, long now, CancellationToken ct);

    Task SetUpstreamIdAsync(long attemptId, string upstreamId, CancellationToken ct);

    /// <summary>Ends a running attempt; an attempt already ended is left as it is.</summary>
    Task EndAsync(long attemptId, string outcome, string? failCode, string? detail, string? usage, long now, CancellationToken ct);

    /// <summary>A task's attempts, oldest first.</summary>
    Task<IReadOnlyList<EngineAttempt>> ListAsync(string taskId, CancellationToken ct);
}
