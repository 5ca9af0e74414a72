using System.Text.Json.Serialization;

namespace Reelgate.Emulators.ModelArk;

/// <summary>Source-generated JSON for every shape the emulator writes: snake_case, nulls left out.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ArkErrorBody))]
[JsonSerializable(typeof(CreatedTask))]
[JsonSerializable(typeof(TaskObject))]
[JsonSerializable(typeof(TaskList))]
[JsonSerializable(typeof(EmptyBody))]
[JsonSerializable(typeof(EmulatorConfig))]
[JsonSerializable(typeof(StatsBody))]
[JsonSerializable(typeof(ReceivedContent))]
internal sealed partial class ArkJsonContext : JsonSerializerContext;
