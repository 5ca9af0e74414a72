namespace Reelgate.Core.Engines;

/// <summary>
/// An engine's outcome: success (the file is at the job's output path) or a failure with a
/// failCode. <see cref="Failover"/> says the engine failed before producing anything for a
/// reason another engine may not share (upstream down, rate-limited, its result expired), so
/// the router may try the next engine of the model's route; a refusal of the content never
/// fails over.
/// </summary>
public sealed record EngineResult(bool Succeeded, string? FailCode, string? FailMessage, bool Failover = false)
{
    public static EngineResult Success() => new(true, null, null);

    public static EngineResult Failure(string failCode, string message) => new(false, failCode, message);

    /// <summary>A failure the next engine of the route may try to do better than.</summary>
    public static EngineResult FailoverFailure(string failCode, string message) => new(false, failCode, message, Failover: true);
}
