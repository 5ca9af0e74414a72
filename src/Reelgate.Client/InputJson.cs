using System.Text.Json.Nodes;

namespace Reelgate.Client;

/// <summary>Builds a wire input object, leaving out what the caller left null (so the model's defaults apply).</summary>
internal static class InputJson
{
    public static JsonObject With(this JsonObject o, string name, JsonNode? value)
    {
        if (value is not null)
        {
            o[name] = value;
        }

        return o;
    }

    public static JsonObject With(this JsonObject o, string name, IReadOnlyList<string>? urls)
    {
        if (urls is { Count: > 0 })
        {
            o[name] = new JsonArray(urls.Select(u => (JsonNode?)JsonValue.Create(u)).ToArray());
        }

        return o;
    }
}
