namespace Reelgate.Core.Engines;

/// <summary>
/// One engine's go at a task: which engine, the upstream task id once the upstream accepted
/// it, how it ended, and the upstream's usage (tokens) for margins. Times are Unix ms.
/// <see cref="Outcome"/> is <c>running</c> until it ends as <c>succeeded</c>, <c>failed</c>,
/// <c>failed_over</c> (failed, the next engine tried) or <c>interrupted</c> (its worker died or
/// lost the lease; a later claim resumes its upstream task).
/// </summary>
public sealed record EngineAttempt(
    long Id,
    string TaskId,
    int Claim,
    string Engine,
    string? UpstreamId,
    string Outcome,
    string? FailCode,
    string? Detail,
    string? Usage,
    long StartedAt,
    long? EndedAt);

/// <summary>The outcomes an <see cref="EngineAttempt"/> may have.</summary>
public static class AttemptOutcomes
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string FailedOver = "failed_over";
    public const string Interrupted = "interrupted";
}
