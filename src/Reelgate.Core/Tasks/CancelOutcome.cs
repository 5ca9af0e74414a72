namespace Reelgate.Core.Tasks;

/// <summary>What a cancel did.</summary>
public enum CancelOutcome
{
    /// <summary>The task ended in fail with <c>cancelled</c> and was refunded.</summary>
    Cancelled,

    /// <summary>No such task for this account (404).</summary>
    NotFound,

    /// <summary>The task had already ended (409 task already finished).</summary>
    AlreadyFinished,
}
