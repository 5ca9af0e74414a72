using System.Text.Json;

namespace Reelgate.Core.Catalog;

/// <summary>
/// The fallback for tasks stored before the spec was (SQLite schema below 9, PostgreSQL below 7):
/// their <c>input</c> column holds the input as validated and defaulted at create, and this reads
/// it back into a spec. It does not validate again (that happened at create); it only reads each
/// catalog field by its type, and answers null when the stored input no longer resolves against
/// the catalog (a field or size the catalog dropped), which the worker fails with a refund.
/// </summary>
public static class StoredInput
{
    public static GenerationSpec? Resolve(ModelDefinition model, string inputJson, long seed)
    {
        try
        {
            using var doc = JsonDocument.Parse(inputJson);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var values = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (var field in model.Input.Where(f => f.AliasOf is null))
            {
                if (doc.RootElement.TryGetProperty(field.Name, out var v) && v.ValueKind != JsonValueKind.Null)
                {
                    values[field.Name] = field.Type switch
                    {
                        "boolean" => v.GetBoolean(),
                        "wholeNumber" or "integer" => v.GetInt64(),
                        "urlList" => v.EnumerateArray().Select(e => e.GetString()!).ToList(),
                        _ => v.GetString()!,
                    };
                }
            }

            return ModelCatalog.Resolve(model, ValidatedInput.Ok(model, values), seed);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or KeyNotFoundException or InvalidCastException)
        {
            return null;
        }
    }
}
