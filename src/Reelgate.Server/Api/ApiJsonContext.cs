using System.Text.Json.Serialization;

namespace Reelgate.Server.Api;

/// <summary>Source-generated JSON for every shape the API writes or reads: no runtime reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ApiEnvelope<CreateTaskData>))]
[JsonSerializable(typeof(ApiEnvelope<TaskInfoData>))]
[JsonSerializable(typeof(ApiEnvelope<RateLimitData>))]
[JsonSerializable(typeof(ApiEnvelope<long>))]
[JsonSerializable(typeof(ApiEnvelope<object>))]
[JsonSerializable(typeof(ApiEnvelope<AccountCreatedData>))]
[JsonSerializable(typeof(ApiEnvelope<AccountData>))]
[JsonSerializable(typeof(ApiEnvelope<CreditsData>))]
[JsonSerializable(typeof(ApiEnvelope<KeyCreatedData>))]
[JsonSerializable(typeof(ApiEnvelope<AuditData>))]
[JsonSerializable(typeof(ResultJsonData))]
[JsonSerializable(typeof(HealthData))]
[JsonSerializable(typeof(CreateAccountRequest))]
[JsonSerializable(typeof(AdjustCreditsRequest))]
[JsonSerializable(typeof(CreateKeyRequest))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
