namespace Reelgate.Core.Callbacks;

/// <summary>A callback due to be sent: the task it reports, where to, and how many tries came before.</summary>
public sealed record CallbackDelivery(long Id, string TaskId, string AccountId, string Url, int Attempts);
