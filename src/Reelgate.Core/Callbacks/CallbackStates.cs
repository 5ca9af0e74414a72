namespace Reelgate.Core.Callbacks;

/// <summary>The states of a callback delivery and the rule that moves it after a try, the same on every backend.</summary>
public static class CallbackStates
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";

    /// <summary>
    /// A try that succeeded delivers; a failed one stays pending for its retry, or fails for good
    /// when the sender gives up (no <paramref name="retryAt"/>).
    /// </summary>
    public static string After(CallbackAttempt attempt, long? retryAt) =>
        attempt.Succeeded ? Delivered : retryAt is null ? Failed : Pending;
}
