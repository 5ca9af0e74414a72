namespace Reelgate.Core.Tasks;

/// <summary>What the create transaction decided.</summary>
public enum CreateTaskStatus
{
    /// <summary>Created, cost reserved.</summary>
    Created,

    /// <summary>Same key and X-Request-ID with the same body: the earlier task's id.</summary>
    Replayed,

    /// <summary>Same key and X-Request-ID with a different body (409 request conflict).</summary>
    RequestConflict,

    /// <summary>The key already has as many waiting tasks as its tier allows (409).</summary>
    ActiveTaskLimit,

    /// <summary>The cost would take the key's spend in its period above its credit limit (402 key credit limit reached); nothing charged.</summary>
    KeyCreditLimit,

    /// <summary>The balance is below the cost (402).</summary>
    InsufficientCredits,
}

/// <summary>The create transaction's decision and the task id it refers to.</summary>
public readonly record struct CreateTaskOutcome(CreateTaskStatus Status, string? TaskId);
