using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelgate.Core.Catalog;

namespace Reelgate.Server.Mcp;

/// <summary>
/// Checks a tool call's arguments against the inputSchema the tool publishes in tools/list, so
/// the rules an agent reads are the rules enforced (one fact, no second copy). It knows the part
/// of JSON Schema the tools use: an object with <c>properties</c>, <c>required</c> and
/// <c>additionalProperties: false</c>; per property <c>type</c>, <c>enum</c>,
/// <c>minimum</c>/<c>maximum</c> and <c>minLength</c>/<c>maxLength</c> (in code points).
/// <see cref="EnsureSupported"/> refuses any other keyword, so a rule added to a schema later
/// cannot go unenforced. <c>format</c> is an annotation (JSON Schema 2020-12's default); a JSON
/// <c>null</c> counts as absent, as it does for createTask's input fields.
/// </summary>
public static class ToolArgumentValidator
{
    private static readonly HashSet<string> ObjectKeywords = ["type", "properties", "required", "additionalProperties", "description"];

    private static readonly HashSet<string> PropertyKeywords =
        ["type", "enum", "minimum", "maximum", "minLength", "maxLength", "default", "description", "format", "items", "maxItems"];

    /// <summary>Throws when the schema uses a keyword this validator does not enforce (a bug in the tool's schema).</summary>
    public static void EnsureSupported(string tool, JsonObject schema)
    {
        if ((string?)schema["type"] != "object" || schema.Any(p => !ObjectKeywords.Contains(p.Key)))
        {
            throw new InvalidOperationException($"tool {tool}: the input schema must be an object schema without other keywords ({schema.ToJsonString()})");
        }

        foreach (var (name, property) in Properties(schema))
        {
            var keyword = property.Select(p => p.Key).FirstOrDefault(k => !PropertyKeywords.Contains(k));
            if (keyword is not null || property["type"] is not JsonValue
                || (property["items"] is { } items && (items is not JsonObject itemSchema || itemSchema.Any(p => p.Key != "type") || (string?)itemSchema["type"] is not ("string" or "integer" or "boolean"))))
            {
                throw new InvalidOperationException($"tool {tool}: argument {name} uses '{keyword ?? "type"}', which the argument validator does not enforce");
            }
        }
    }

    /// <summary>The first broken rule as REST words it (<c>validation error: wait_seconds must be ...</c>), or null.</summary>
    public static string? Validate(string tool, JsonObject schema, IReadOnlyDictionary<string, JsonElement> arguments)
    {
        var properties = schema["properties"]?.AsObject();
        if (schema["additionalProperties"] is JsonValue closed && !closed.GetValue<bool>())
        {
            foreach (var name in arguments.Keys)
            {
                if (properties is null || !properties.ContainsKey(name))
                {
                    return $"validation error: {name} is not an argument of {tool}";
                }
            }
        }

        foreach (var required in schema["required"]?.AsArray().Select(n => (string)n!) ?? [])
        {
            if (!arguments.TryGetValue(required, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return $"validation error: {required} is required";
            }
        }

        foreach (var (name, property) in Properties(schema))
        {
            if (arguments.TryGetValue(name, out var value) && value.ValueKind != JsonValueKind.Null && !Satisfies(property, value))
            {
                return $"validation error: {name} must be {Rule(property)}";
            }
        }

        return null;
    }

    /// <summary>A JSON number with no fractional part that fits a long (5, 5.0, 5e0): JSON Schema's <c>integer</c>.</summary>
    public static bool TryGetWhole(JsonElement element, out long value)
    {
        value = 0;
        if (element.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        if (element.TryGetInt64(out value))
        {
            return true;
        }

        if (decimal.TryParse(element.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            && d == decimal.Truncate(d) && d >= long.MinValue && d <= long.MaxValue)
        {
            value = (long)d;
            return true;
        }

        return false;
    }

    private static IEnumerable<(string Name, JsonObject Schema)> Properties(JsonObject schema) =>
        schema["properties"]?.AsObject().Select(p => (p.Key, p.Value!.AsObject())) ?? [];

    private static bool Satisfies(JsonObject property, JsonElement value)
    {
        if (property["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, JsonNode.Parse(value.GetRawText()))))
        {
            return false;
        }

        switch ((string?)property["type"])
        {
            case "string":
                if (value.ValueKind != JsonValueKind.String || !InputValidator.TryGetString(value, out var s))
                {
                    return false;
                }

                var length = InputValidator.CodePointLength(s);
                return length >= (Number(property["minLength"]) ?? 0) && length <= (Number(property["maxLength"]) ?? decimal.MaxValue);
            case "integer":
                return TryGetWhole(value, out var whole) && InRange(property, whole);
            case "number":
                return value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var n) && InRange(property, n);
            case "boolean":
                return value.ValueKind is JsonValueKind.True or JsonValueKind.False;
            case "object":
                return value.ValueKind == JsonValueKind.Object;
            case "array":
                return value.ValueKind == JsonValueKind.Array
                    && value.GetArrayLength() <= (Number(property["maxItems"]) ?? int.MaxValue)
                    && (property["items"] is not JsonObject item || value.EnumerateArray().All(v => Satisfies(item, v)));
            default:
                return false;
        }
    }

    private static bool InRange(JsonObject property, decimal value) =>
        value >= (Number(property["minimum"]) ?? decimal.MinValue) && value <= (Number(property["maximum"]) ?? decimal.MaxValue);

    /// <summary>The whole rule in words, whichever part of it failed (as createTask's messages do).</summary>
    private static string Rule(JsonObject property)
    {
        if (property["enum"] is JsonArray allowed)
        {
            return "one of " + string.Join(", ", allowed.Select(a => a is JsonValue v && v.TryGetValue<string>(out var s) ? s : a?.ToJsonString()));
        }

        var min = property["minimum"]?.ToJsonString();
        var max = property["maximum"]?.ToJsonString();
        var range = (min, max) switch
        {
            (not null, not null) => $" from {min} to {max}",
            (not null, null) => $" of at least {min}",
            (null, not null) => $" of at most {max}",
            _ => "",
        };
        return (string?)property["type"] switch
        {
            "string" => "a string" + Length(Number(property["minLength"]), Number(property["maxLength"])),
            "integer" => "a whole number" + range,
            "number" => "a number" + range,
            "boolean" => "true or false",
            "object" => "an object",
            "array" => "an array" + (Number(property["maxItems"]) is { } most ? $" of at most {most}" : "") + (property["items"] is JsonObject item ? $" of {(string?)item["type"]} items" : ""),
            var other => $"of type {other}",
        };
    }

    private static string Length(decimal? min, decimal? max) => (min, max) switch
    {
        (> 0, not null) => $" of {min} to {max} characters",
        (> 0, null) => $" of at least {min} character{(min == 1 ? "" : "s")}",
        (_, not null) => $" of at most {max} characters",
        _ => "",
    };

    private static decimal? Number(JsonNode? node) =>
        node is null ? null : decimal.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
}
