namespace Reelgate.Server.Api;

// The data objects of the public and admin API (camelCase on the wire). Small records that
// only describe JSON shapes are kept together here so the contract reads in one place.

public sealed record CreateTaskData(string TaskId);

/// <summary>A usage report: the UTC days it covers, the grouping, one row per group and the total.</summary>
public sealed record UsageData(string From, string To, string GroupBy, IReadOnlyList<Reelgate.Core.Accounts.UsageRow> Rows, Reelgate.Core.Accounts.UsageRow Total);

/// <summary>A quote: the credits createTask would charge, the balance now and after, the key's room (null: no key limit).</summary>
public sealed record QuoteData(long Credits, long Balance, long BalanceAfter, long? KeyRoom);

public sealed record RateLimitData(int RetryAfter, int Limit, string Tier, int WindowSeconds);

/// <summary>recordInfo's data: the spec's fields first (never renamed), then documented extras.</summary>
public sealed record TaskInfoData(
    string TaskId,
    string Model,
    string State,
    string Param,
    string? ResultJson,
    string? FailCode,
    string? FailMsg,
    long? CostTime,
    long? CompleteTime,
    long CreateTime,
    long UpdateTime,
    long CreditsConsumed,
    int Progress,
    long Seed,
    string? ThumbnailUrl,
    long? ResultExpireTime,
    bool? ResultExpired)
{
    /// <summary>recordInfo of a waiting task not yet started: its place in the claim order (1 = next); absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? QueuePosition { get; init; }

    /// <summary>Seconds until it starts, from this node's recent completion rate of the model; absent while unknown.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? EtaSeconds { get; init; }
}

public sealed record TaskListData(IReadOnlyList<TaskInfoData> Items, string? NextCursor);

public sealed record CancelTaskRequest(string? TaskId);

public sealed record ModelData(
    string Id,
    string Description,
    int Fps,
    IReadOnlyList<ModelInputData> Input,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Sizes,
    ModelPricingData Pricing,
    IReadOnlyList<string>? Aliases = null);

public sealed record ModelInputData(
    string Name,
    string Type,
    bool Required,
    System.Text.Json.JsonElement? Default,
    IReadOnlyList<string>? Values,
    long? Min,
    long? Max,
    int? MinLength,
    int? MaxLength,
    string? AliasOf,
    string? Description,
    IReadOnlyList<string>? Roles = null,
    int? MinItems = null,
    int? MaxItems = null);

public sealed record ModelPricingData(string RateField, IReadOnlyDictionary<string, long> RatesPerSecond, string DurationField, string? AudioField, decimal AudioMultiplier);

public sealed record WebhookSecretData(string WebhookSecret);

public sealed record CallbackDeliveryData(long DeliveryId, string Url, string State, int Attempts, long NextAttemptAt, IReadOnlyList<CallbackAttemptData> History);

public sealed record CallbackAttemptData(long AttemptedAt, int? StatusCode, string? Error, long DurationMs);

/// <summary>An event of <c>/api/v1/jobs/events</c>: the task's change; the queue extras only on a task stream while the task is queued.</summary>
public sealed record TaskEventData(string TaskId, string State, int Progress, string? FailCode, long UpdateTime)
{
    /// <summary>A task stream of a waiting task not yet started: its place in the claim order (1 = next), as recordInfo; absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? QueuePosition { get; init; }

    /// <summary>With <see cref="QueuePosition"/>: seconds until it starts, from this node's recent completion rate of the model; absent while unknown.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? EtaSeconds { get; init; }
}

/// <summary>resultJson: the video URLs, and the last frame's URL when the client asked for it (<c>return_last_frame</c>).</summary>
public sealed record ResultJsonData(
    IReadOnlyList<string> ResultUrls,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? LastFrameUrl = null);

public sealed record AccountCreatedData(string AccountId);

/// <summary>A key in an account's view: exactly the spec's fields (section 9); its limits are in <see cref="KeyData"/>.</summary>
public sealed record AccountKeyData(string KeyId, string Prefix, string Name, string Tier, bool Revoked);

/// <summary>A key as <c>GET</c> and <c>PATCH /api/admin/keys/{keyId}</c> show it (never the key itself): its account and its limits, null where there is none.</summary>
public sealed record KeyData(string KeyId, string AccountId, string Prefix, string Name, string Tier, bool Revoked, long CreateTime, long? CreditLimit, string? CreditPeriod, IReadOnlyList<string>? AllowedIps, long? ExpiresAt)
{
    public static KeyData From(string accountId, Reelgate.Core.Accounts.ApiKeyInfo k) => new(k.KeyId, accountId, k.Prefix, k.Name, k.Tier, k.Revoked, k.CreateTime, k.Limits.CreditLimit,
        k.Limits.CreditPeriod is { } p ? Reelgate.Core.Accounts.KeyLimits.PeriodName(p) : null, k.Limits.AllowedIps, k.Limits.ExpiresAt);
}

/// <summary>
/// <c>GET /api/v1/keys/self</c>: the calling key's limits, what it has spent in its credit period
/// (its whole life when it has no limit) from <c>periodStart</c> until <c>periodEnd</c> (null for
/// total), the room left (null without a limit), and the client address the server saw.
/// </summary>
public sealed record KeySelfData(string KeyId, string Prefix, string Name, string Tier, long? CreditLimit, string? CreditPeriod, IReadOnlyList<string>? AllowedIps, long? ExpiresAt,
    long Spent, long PeriodStart, long? PeriodEnd, long? Room, string? ClientIp);

public sealed record AccountData(string AccountId, string Name, long Credits, bool Disabled, IReadOnlyList<AccountKeyData> Keys);

public sealed record CreditsData(long Credits);

public sealed record KeyCreatedData(string KeyId, string ApiKey);

/// <summary>A broken account of the audit; decimals, so a ledger sum beyond the 64-bit range is still shown exactly.</summary>
public sealed record AuditAccountData(string AccountId, decimal Balance, decimal LedgerSum);

public sealed record AuditData(bool Ok, int Accounts, IReadOnlyList<AuditAccountData> Broken);

public sealed record HealthData(string Status, string Database, int Workers, IReadOnlyDictionary<string, EngineHealthData> Engines);

public sealed record EngineHealthData(bool Available, string Detail);

/// <summary>The body of <c>GET /readyz</c>: <c>ready</c> or <c>not_ready</c>, and each check (database, engines, results).</summary>
public sealed record ReadinessData(string Status, IReadOnlyDictionary<string, ReadinessCheckData> Checks);

/// <summary>One readiness check: whether it passed, a few words on what it found, and how long it took.</summary>
public sealed record ReadinessCheckData(bool Ok, string Detail, long Ms);

public sealed record CreateAccountRequest(string? Name, long? Credits);

public sealed record AdjustCreditsRequest(long? Amount, string? Reason);

/// <summary>A new key: name, tier, and optionally its limits (<see cref="KeyLimitsInput"/>).</summary>
public sealed record CreateKeyRequest(string? Name, string? Tier, long? CreditLimit = null, string? CreditPeriod = null, IReadOnlyList<string>? AllowedIps = null, long? ExpiresAt = null);

/// <summary><c>PATCH /api/admin/keys/{keyId}</c>: a field present replaces the limit (null clears it), a field absent keeps it.</summary>
public sealed record KeyLimitsRequest(long? CreditLimit = null, string? CreditPeriod = null, IReadOnlyList<string>? AllowedIps = null, long? ExpiresAt = null);

/// <summary>One engine attempt of a task (admin API): outcome running, succeeded, failed, failed_over or interrupted; usage is the upstream's JSON.</summary>
public sealed record EngineAttemptData(long AttemptId, int Claim, string Engine, string? UpstreamId, string Outcome, string? FailCode, string? Detail, string? Usage, long StartedAt, long? EndedAt);

/// <summary>An engine on this node and its circuit breaker (admin API).</summary>
public sealed record EngineStatusData(string Engine, bool Available, string Detail, int ConsecutiveFailures, bool BreakerOpen, long? OpenUntil);
