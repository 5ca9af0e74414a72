using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reelgate.Server.Api;

/// <summary>Source-generated JSON for every shape the API writes or reads: no runtime reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ApiEnvelope<CreateTaskData>))]
[JsonSerializable(typeof(ApiEnvelope<QuoteData>))]
[JsonSerializable(typeof(ApiEnvelope<UsageData>))]
[JsonSerializable(typeof(ApiEnvelope<TaskInfoData>))]
[JsonSerializable(typeof(ApiEnvelope<RateLimitData>))]
[JsonSerializable(typeof(ApiEnvelope<long>))]
[JsonSerializable(typeof(ApiEnvelope<object>))]
[JsonSerializable(typeof(ApiEnvelope<AccountCreatedData>))]
[JsonSerializable(typeof(ApiEnvelope<AccountData>))]
[JsonSerializable(typeof(ApiEnvelope<CreditsData>))]
[JsonSerializable(typeof(ApiEnvelope<KeyCreatedData>))]
[JsonSerializable(typeof(ApiEnvelope<AuditData>))]
[JsonSerializable(typeof(ApiEnvelope<TaskListData>))]
[JsonSerializable(typeof(ApiEnvelope<IReadOnlyList<ModelData>>))]
[JsonSerializable(typeof(CancelTaskRequest))]
[JsonSerializable(typeof(TaskInfoData))]
[JsonSerializable(typeof(TaskEventData))]
[JsonSerializable(typeof(ApiEnvelope<WebhookSecretData>))]
[JsonSerializable(typeof(ApiEnvelope<IReadOnlyList<CallbackDeliveryData>>))]
[JsonSerializable(typeof(ApiEnvelope<IReadOnlyList<EngineAttemptData>>))]
[JsonSerializable(typeof(ApiEnvelope<IReadOnlyList<EngineStatusData>>))]
[JsonSerializable(typeof(ResultJsonData))]
[JsonSerializable(typeof(HealthData))]
[JsonSerializable(typeof(ReadinessData))]
[JsonSerializable(typeof(CreateAccountRequest))]
[JsonSerializable(typeof(AdjustCreditsRequest))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(KeyLimitsRequest))]
[JsonSerializable(typeof(ApiEnvelope<KeyData>))]
[JsonSerializable(typeof(ApiEnvelope<KeySelfData>))]
[JsonSerializable(typeof(KeySelfData))]
[JsonSerializable(typeof(QuoteData))]
[JsonSerializable(typeof(UsageData))]
[JsonSerializable(typeof(ApiEnvelope<UploadData>))]
[JsonSerializable(typeof(UploadRequest))]
[JsonSerializable(typeof(KieEnvelope<KieUploadData>))]
[JsonSerializable(typeof(KieError))]
public sealed partial class ApiJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context every response uses: same shapes, but quotes, ampersands and non-ASCII text
    /// are written as themselves (<c>\"</c>, <c>&amp;</c>, <c>é</c>) instead of <c>\u0022</c> escapes, as the
    /// seed's examples show. Responses are JSON, never embedded in HTML, so this is safe.
    /// </summary>
    public static ApiJsonContext Web { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
