using System.Globalization;
using System.Text.Json;

namespace Reelgate.Core.Catalog;

/// <summary>
/// Validates a create request's <c>input</c> object against the model's field rules from the
/// catalog, in the catalog's field order, and applies defaults. Unknown fields are ignored
/// here (they stay in the stored <c>param</c>). A JSON <c>null</c> counts as absent.
/// </summary>
public static class InputValidator
{
    public static ValidatedInput Validate(ModelDefinition model, JsonElement input)
    {
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var field in model.Input)
        {
            if (field.AliasOf is not null)
            {
                continue; // resolved when the field it stands for is reached
            }

            var (source, element) = Find(model, field, input);
            if (element is null)
            {
                if (field.Required)
                {
                    return ValidatedInput.Fail("input." + field.Name, $"input.{field.Name} is required");
                }

                if (field.Default is { } d)
                {
                    values[field.Name] = FromDefault(field, d);
                }

                continue;
            }

            var error = Check(field, source, element.Value, out var value);
            if (error is not null)
            {
                return ValidatedInput.Fail("input." + source.Name, error);
            }

            values[field.Name] = value!;
        }

        return MediaRuleCheck.Check(model, values) is { } broken
            ? ValidatedInput.Fail(broken.Field, broken.Detail)
            : ValidatedInput.Ok(model, values);
    }

    /// <summary>Finds the field's value, or that of an alias when the field itself is absent.</summary>
    private static (InputField Source, JsonElement? Element) Find(ModelDefinition model, InputField field, JsonElement input)
    {
        if (TryGet(input, field.Name, out var own))
        {
            return (field, own);
        }

        foreach (var alias in model.Input)
        {
            if (alias.AliasOf == field.Name && TryGet(input, alias.Name, out var aliased))
            {
                return (alias, aliased);
            }
        }

        return (field, null);
    }

    private static bool TryGet(JsonElement input, string name, out JsonElement value) =>
        input.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static object FromDefault(InputField field, JsonElement d) => field.Type switch
    {
        "boolean" => d.GetBoolean(),
        "wholeNumber" or "integer" => d.GetInt64(),
        _ => d.GetString() ?? "",
    };

    /// <summary>Returns the error text (without the <c>validation error: </c> prefix) or null.</summary>
    private static string? Check(InputField field, InputField source, JsonElement element, out object? value)
    {
        value = null;
        var name = "input." + source.Name;
        switch (field.Type)
        {
            case "string":
            {
                var min = field.MinLength ?? 0;
                var max = field.MaxLength ?? int.MaxValue;
                var rule = $"{name} must be a string of {min} to {max} characters and not blank";
                if (element.ValueKind != JsonValueKind.String || !TryGetString(element, out var s))
                {
                    return rule;
                }

                var trimmed = s.Trim();
                var length = CodePointLength(trimmed);
                if (length < Math.Max(min, 1) || length > max)
                {
                    return rule;
                }

                value = s;
                return null;
            }

            case "enum":
            {
                var allowed = field.Values ?? [];
                if (element.ValueKind != JsonValueKind.String || !TryGetString(element, out var s) || !allowed.Contains(s, StringComparer.Ordinal))
                {
                    return $"{name} must be one of {string.Join(", ", allowed)}";
                }

                value = s;
                return null;
            }

            case "wholeNumber":
            case "integer":
            {
                var min = field.Min ?? long.MinValue;
                var max = field.Max ?? long.MaxValue;
                var rule = field.Type == "integer"
                    ? $"{name} must be an integer from {min} to {max}"
                    : $"{name} must be a whole number from {min} to {max}";
                if (element.ValueKind != JsonValueKind.Number || !TryWhole(element, out var n) || n < min || n > max)
                {
                    return rule;
                }

                value = n;
                return null;
            }

            case "boolean":
            {
                if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return $"{name} must be true or false";
                }

                value = element.GetBoolean();
                return null;
            }

            case "url":
            {
                if (element.ValueKind != JsonValueKind.String || !TryGetString(element, out var url))
                {
                    return $"{name} must be a URL string";
                }

                if (MediaUrl.Problem(url, MediaKindOf(field)) is { } problem)
                {
                    return $"{name} {problem}";
                }

                value = url;
                return null;
            }

            case "urlList":
            {
                var min = Math.Max(field.MinItems ?? 0, field.Required ? 1 : 0);
                var max = field.MaxItems ?? int.MaxValue;
                var rule = $"{name} must be an array of {min} to {max} URL strings";
                if (element.ValueKind != JsonValueKind.Array)
                {
                    return rule;
                }

                var count = element.GetArrayLength();
                if (count < min || count > max)
                {
                    return rule;
                }

                var urls = new List<string>(count);
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String || !TryGetString(item, out var url))
                    {
                        return $"{name}[{index}] must be a URL string";
                    }

                    if (MediaUrl.Problem(url, MediaKindOf(field, index)) is { } problem)
                    {
                        return $"{name}[{index}] {problem}";
                    }

                    urls.Add(url);
                    index++;
                }

                value = urls;
                return null;
            }

            default:
                return $"{name} has an unknown type in the model catalog";
        }
    }

    /// <summary>The kind of file the field's item at <paramref name="index"/> takes (images when the catalog does not say).</summary>
    private static Media.MediaKind MediaKindOf(InputField field, int index = 0) =>
        Media.MediaRoles.KindOf(field.RoleAt(index));

    /// <summary>
    /// A JSON string as text; false for escaped lone surrogates, which cannot be transcoded (the
    /// input rules and the MCP argument check treat them alike: not text).
    /// </summary>
    public static bool TryGetString(JsonElement element, out string value)
    {
        try
        {
            value = element.GetString() ?? "";
            return true;
        }
        catch (InvalidOperationException)
        {
            // Escaped lone surrogates cannot be transcoded: not valid text.
            value = "";
            return false;
        }
    }

    /// <summary>A JSON number with no fractional part that fits a long (5, 5.0, 5e0).</summary>
    private static bool TryWhole(JsonElement element, out long value)
    {
        if (element.TryGetInt64(out value))
        {
            return true;
        }

        var raw = element.GetRawText();
        if (decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            && d == decimal.Truncate(d) && d >= long.MinValue && d <= long.MaxValue)
        {
            value = (long)d;
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>Length in Unicode code points: a 4-byte character counts once.</summary>
    public static int CodePointLength(string s)
    {
        var n = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }

            n++;
        }

        return n;
    }
}
