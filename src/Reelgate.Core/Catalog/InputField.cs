namespace Reelgate.Core.Catalog;

/// <summary>
/// The rule for one input field. Types: <c>string</c> (with min/max length in Unicode
/// code points after trimming), <c>enum</c> (one of <see cref="Values"/>), <c>wholeNumber</c>
/// (a JSON number with no fractional part, 5 and 5.0 alike, within min..max),
/// <c>integer</c> (same as wholeNumber; named for clarity in the schema) and <c>boolean</c>.
/// </summary>
public sealed class InputField
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public bool Required { get; init; }
    public string? Description { get; init; }

    /// <summary>This field is an alias of another: used only when that one is absent.</summary>
    public string? AliasOf { get; init; }

    /// <summary>Default value as JSON text (<c>"16:9"</c>, <c>5</c>, <c>false</c>); null for none.</summary>
    public System.Text.Json.JsonElement? Default { get; init; }

    public IReadOnlyList<string>? Values { get; init; }
    public int? MinLength { get; init; }
    public int? MaxLength { get; init; }
    public long? Min { get; init; }
    public long? Max { get; init; }
}
