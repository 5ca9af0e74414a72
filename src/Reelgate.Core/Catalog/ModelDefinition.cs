namespace Reelgate.Core.Catalog;

/// <summary>One public model of the catalog, as read from the catalog data file.</summary>
public sealed class ModelDefinition
{
    public required string Id { get; init; }

    /// <summary>Other ids clients may send for this model; recordInfo echoes the id sent. No id may be claimed twice.</summary>
    public IReadOnlyList<string> Aliases { get; set; } = []; // set, not init: the JSON source generator would write null for an absent init-only property

    /// <summary>Name of the engine that generates this model's output (e.g. <c>builtin</c>).</summary>
    public required string Engine { get; init; }

    public string Description { get; init; } = "";

    public int Fps { get; init; } = 24;

    /// <summary>The input fields in validation order.</summary>
    public required IReadOnlyList<InputField> Input { get; init; }

    /// <summary>Which input fields carry the generation facts, and the output size table.</summary>
    public required OutputRules Output { get; init; }

    public required PriceTable Pricing { get; init; }

    public ContentPolicy ContentPolicy { get; set; } = new(); // set: see Aliases

    /// <summary>Rules across the media fields (counts, exclusive roles, requirements).</summary>
    public MediaRules MediaRules { get; set; } = new(); // set: see Aliases
}
