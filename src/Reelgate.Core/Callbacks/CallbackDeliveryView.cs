namespace Reelgate.Core.Callbacks;

/// <summary>A delivery and its tries, for the admin API.</summary>
public sealed record CallbackDeliveryView(long Id, string TaskId, string Url, string State, int Attempts, long NextAttemptAt, IReadOnlyList<CallbackAttempt> History);
