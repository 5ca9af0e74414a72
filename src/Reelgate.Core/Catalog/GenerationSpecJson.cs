using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reelgate.Core.Catalog;

/// <summary>
/// The stored form of a <see cref="GenerationSpec"/> (the tasks table's <c>spec</c> column), the
/// same on every backend. Property names are camelCase; an unknown property is ignored, so a spec
/// written by a newer version that added a fact still reads.
/// </summary>
public static class GenerationSpecJson
{
    public static string Serialize(GenerationSpec spec) => JsonSerializer.Serialize(spec, SpecJsonContext.Default.GenerationSpec);

    /// <summary>The spec, or null for null text (a task stored before specs were).</summary>
    public static GenerationSpec? Deserialize(string? json) =>
        json is null ? null : JsonSerializer.Deserialize(json, SpecJsonContext.Default.GenerationSpec)
            ?? throw new JsonException("a stored generation spec is JSON null");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(GenerationSpec))]
internal sealed partial class SpecJsonContext : JsonSerializerContext;
