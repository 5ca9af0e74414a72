using Reelgate.Core.Limits;

namespace Reelgate.Server.Creation;

/// <summary>
/// The typed outcome of a create. Only the members of its <see cref="Status"/> are set: the task
/// id (created, replayed), the field and rule (invalid input), the cost (insufficient credits), the
/// limit (active tasks), the rate-limit decision and tier (rate limited).
/// </summary>
public sealed record CreateResult(CreateStatus Status)
{
    public string? TaskId { get; init; }

    /// <summary>The field that failed, as the client named it: <c>input.duration</c>, <c>callBackUrl</c>.</summary>
    public string? Field { get; init; }

    /// <summary>The rule the field broke, e.g. <c>input.duration must be a whole number from 4 to 15</c>.</summary>
    public string? Message { get; init; }

    public long Cost { get; init; }

    public int ActiveTaskLimit { get; init; }

    public RateLimitDecision RateLimit { get; init; }

    public string? Tier { get; init; }

    public bool Succeeded => Status is CreateStatus.Created or CreateStatus.Replayed;

    public static CreateResult Invalid(string field, string message) => new(CreateStatus.InvalidInput) { Field = field, Message = message };

    /// <summary>A refused rate-limit decision as an outcome (unavailable or spent).</summary>
    public static CreateResult Limited(RateLimitDecision decision, string tier) =>
        new(decision.Unavailable ? CreateStatus.RateLimiterUnavailable : CreateStatus.RateLimited) { RateLimit = decision, Tier = tier };
}
