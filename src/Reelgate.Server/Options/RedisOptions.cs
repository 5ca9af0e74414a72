namespace Reelgate.Server.Options;

/// <summary><c>Reelgate:Redis</c>: rate limits shared by every node through Redis (<c>ConnectionStrings:Redis</c>).</summary>
public sealed class RedisOptions
{
    /// <summary>
    /// When Redis cannot be asked: false (default) lets requests through with a logged warning and
    /// a metric (fail open); true refuses them with 503 rate limiter unavailable (fail closed).
    /// </summary>
    public bool FailClosed { get; set; }
}
