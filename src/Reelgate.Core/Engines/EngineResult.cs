namespace Reelgate.Core.Engines;

/// <summary>An engine's outcome: success (the file is at the job's output path) or a failure with a failCode.</summary>
public sealed record EngineResult(bool Succeeded, string? FailCode, string? FailMessage)
{
    public static EngineResult Success() => new(true, null, null);

    public static EngineResult Failure(string failCode, string message) => new(false, failCode, message);
}
