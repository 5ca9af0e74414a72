namespace Reelgate.Core.Catalog;

/// <summary>
/// The rule for one input field. Types: <c>string</c> (with min/max length in Unicode
/// code points after trimming), <c>enum</c> (one of <see cref="Values"/>), <c>wholeNumber</c>
/// (a JSON number with no fractional part, 5 and 5.0 alike, within min..max),
/// <c>integer</c> (same as wholeNumber; named for clarity in the schema), <c>boolean</c>, and for
/// media inputs <c>url</c> (one URL) and <c>urlList</c> (an array of <see cref="MinItems"/> to
/// <see cref="MaxItems"/> URLs): <c>https://</c>, <c>http://</c>, a base64 <c>data:</c> URI, or the
/// URL of a file uploaded to this server, whose URLs play the part of <see cref="Roles"/>.
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

    /// <summary><c>urlList</c>: fewest items (a required list needs at least one either way).</summary>
    public int? MinItems { get; init; }

    /// <summary><c>urlList</c>: most items.</summary>
    public int? MaxItems { get; init; }

    /// <summary>
    /// Media fields: the role of each URL, positional with the last repeating, so
    /// <c>["first_frame", "last_frame"]</c> makes a list's first URL the first frame and a second
    /// the last frame, and <c>["reference_image"]</c> makes every URL a reference image.
    /// </summary>
    public IReadOnlyList<string>? Roles { get; init; }

    public bool IsMedia => Type is "url" or "urlList";

    /// <summary>The role of the URL at <paramref name="index"/> (0 for a single-URL field).</summary>
    public string RoleAt(int index) => Roles![Math.Min(index, Roles.Count - 1)];
}
