namespace Reelgate.Server.Creation;

/// <summary>What a create did; each surface words it (REST envelope, MCP tool error, Playground message).</summary>
public enum CreateStatus
{
    /// <summary>A new task, its cost reserved.</summary>
    Created,

    /// <summary>A quote: every check of a create passed, <see cref="CreateResult.Cost"/> is what it would charge; nothing written.</summary>
    Quoted,

    /// <summary>Same key and request id with the same body: the earlier task (no new charge).</summary>
    Replayed,

    /// <summary>Same key and request id with a different body.</summary>
    Conflict,

    /// <summary>The body is not a create request (not an object, no model or input, a bad request id).</summary>
    InvalidRequest,

    /// <summary>The model is not in the catalog.</summary>
    UnknownModel,

    /// <summary>A field broke its rule: <see cref="CreateResult.Field"/> and <see cref="CreateResult.Message"/>.</summary>
    InvalidInput,

    /// <summary>The balance is below the cost (<see cref="CreateResult.Cost"/>).</summary>
    InsufficientCredits,

    /// <summary>The cost would take the key past its credit limit for the period (<see cref="CreateResult.Cost"/>); nothing charged.</summary>
    KeyCreditLimit,

    /// <summary>The key has as many waiting tasks as its tier allows (<see cref="CreateResult.ActiveTaskLimit"/>).</summary>
    ActiveTaskLimit,

    /// <summary>The key's create budget is spent (<see cref="CreateResult.RateLimit"/>: retry after, limit, window).</summary>
    RateLimited,

    /// <summary>The shared rate limiter could not be asked and fails closed.</summary>
    RateLimiterUnavailable,
}
