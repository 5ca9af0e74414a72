namespace Reelgate.Core.Tasks;

/// <summary>
/// A task to create, with the facts the store's single create transaction needs:
/// the idempotency key and body hash, the active-task limit and the cost to reserve.
/// </summary>
public sealed record NewTask
{
    public required string TaskId { get; init; }
    public required string AccountId { get; init; }
    public required string KeyId { get; init; }
    public required string Model { get; init; }
    public required string Param { get; init; }
    public required string Input { get; init; }
    public required long Cost { get; init; }
    public required long Seed { get; init; }

    /// <summary>The spec resolved at create: what the worker hands the engine (stored as JSON).</summary>
    public Catalog.GenerationSpec? Spec { get; init; }
    public string? CallBackUrl { get; init; }

    /// <summary>The origin the client called, for result URLs in callbacks when no PublicBaseUrl is set.</summary>
    public string? BaseUrl { get; init; }

    /// <summary>The client's <c>X-Request-ID</c>, or null.</summary>
    public string? RequestId { get; init; }

    /// <summary>Hash of the request body, to tell a retry from a conflicting reuse of the id.</summary>
    public string? RequestHash { get; init; }

    /// <summary>The key tier's active-task limit; null for none.</summary>
    public int? ActiveTaskLimit { get; init; }

    public required long Now { get; init; }
}
