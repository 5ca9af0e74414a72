namespace Reelgate.Core.Catalog;

/// <summary>
/// The outcome of validating a create request's <c>input</c>: either <see cref="Error"/>
/// (the 422 message, <c>validation error: input.X ...</c>) or the effective values with
/// defaults applied. <see cref="Seed"/> is -1 when the caller asked for a random seed.
/// </summary>
public sealed class ValidatedInput
{
    public string? Error { get; private init; }
    public IReadOnlyDictionary<string, object> Values { get; private init; } = new Dictionary<string, object>();
    public ModelDefinition? Model { get; private init; }

    public bool IsValid => Error is null;

    public static ValidatedInput Fail(string message) => new() { Error = message };

    public static ValidatedInput Ok(ModelDefinition model, IReadOnlyDictionary<string, object> values) =>
        new() { Model = model, Values = values };

    public string GetString(string field) => (string)Values[field];

    public long GetLong(string field) => Values.TryGetValue(field, out var v) ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : 0;

    public bool GetBool(string? field) => field is not null && Values.TryGetValue(field, out var v) && v is true;

    public long Seed => Model?.Output.SeedField is { } f && Values.ContainsKey(f) ? GetLong(f) : -1;
}
