namespace Reelgate.Core.Catalog;

/// <summary>One public model of the catalog, as read from the catalog data file.</summary>
public sealed class ModelDefinition
{
    public required string Id { get; init; }

    /// <summary>Name of the engine that generates this model's output (e.g. <c>builtin</c>).</summary>
    public required string Engine { get; init; }

    public string Description { get; init; } = "";

    public int Fps { get; init; } = 24;

    /// <summary>The input fields in validation order.</summary>
    public required IReadOnlyList<InputField> Input { get; init; }

    /// <summary>Which input fields carry the generation facts, and the output size table.</summary>
    public required OutputRules Output { get; init; }

    public required PriceTable Pricing { get; init; }

    public ContentPolicy ContentPolicy { get; init; } = new();
}
