namespace Reelgate.Core.Catalog;

/// <summary>
/// The outcome of validating a create request's <c>input</c>: either an error (the field, e.g.
/// <c>input.duration</c>, and <see cref="Detail"/>, the rule it broke) or the effective values
/// with defaults applied. <see cref="Seed"/> is -1 when the caller asked for a random seed.
/// </summary>
public sealed class ValidatedInput
{
    /// <summary>The field that failed, as the client named it (<c>input.aspect_ratio</c> for an alias).</summary>
    public string? Field { get; private init; }

    /// <summary>The rule the field broke, e.g. <c>input.duration must be a whole number from 4 to 15</c>.</summary>
    public string? Detail { get; private init; }

    /// <summary>The 422 message: <c>validation error: </c> + <see cref="Detail"/>.</summary>
    public string? Error => Detail is null ? null : "validation error: " + Detail;

    public IReadOnlyDictionary<string, object> Values { get; private init; } = new Dictionary<string, object>();
    public ModelDefinition? Model { get; private init; }

    public bool IsValid => Detail is null;

    public static ValidatedInput Fail(string field, string detail) => new() { Field = field, Detail = detail };

    public static ValidatedInput Ok(ModelDefinition model, IReadOnlyDictionary<string, object> values) =>
        new() { Model = model, Values = values };

    public string GetString(string field) => (string)Values[field];

    public long GetLong(string field) => Values.TryGetValue(field, out var v) ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : 0;

    public bool GetBool(string? field) => field is not null && Values.TryGetValue(field, out var v) && v is true;

    public long Seed => Model?.Output.SeedField is { } f && Values.ContainsKey(f) ? GetLong(f) : -1;
}
