using System.Text.Json.Serialization;

namespace Reelgate.Core.Catalog;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CatalogDocument))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;

/// <summary>The catalog file's root: <c>{"models":[...]}</c>.</summary>
internal sealed class CatalogDocument
{
    public required List<ModelDefinition> Models { get; init; }
}
