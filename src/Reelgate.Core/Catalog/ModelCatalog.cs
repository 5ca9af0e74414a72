using System.Text.Json;

namespace Reelgate.Core.Catalog;

/// <summary>
/// The public models, read from the catalog data file. Validation, pricing, output sizes and
/// the content policy all read from here: nothing model-specific lives in code.
/// </summary>
public sealed class ModelCatalog
{
    private readonly Dictionary<string, ModelDefinition> _models;

    public ModelCatalog(IEnumerable<ModelDefinition> models)
    {
        _models = new Dictionary<string, ModelDefinition>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            CheckConsistency(model);
            _models.Add(model.Id, model);
        }
    }

    public IReadOnlyCollection<ModelDefinition> Models => _models.Values;

    public bool TryGet(string id, out ModelDefinition model) => _models.TryGetValue(id, out model!);

    /// <summary>Loads the catalog file; throws <see cref="InvalidDataException"/> naming the problem.</summary>
    public static ModelCatalog Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"model catalog not found at {path}");
        }

        try
        {
            using var stream = File.OpenRead(path);
            var doc = JsonSerializer.Deserialize(stream, CatalogJsonContext.Default.CatalogDocument)
                ?? throw new InvalidDataException($"model catalog {path} is empty");
            return new ModelCatalog(doc.Models);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"model catalog {path} is not valid: {e.Message}", e);
        }
    }

    /// <summary>cost = rate(resolution) x duration (x audio multiplier), rounded up.</summary>
    public static long Price(ModelDefinition model, ValidatedInput input)
    {
        var p = model.Pricing;
        var rate = p.RatesPerSecond[input.GetString(p.RateField)];

        // Checked: a catalog rate times a duration that overflowed would wrap to a small or
        // negative price; throwing (a broken catalog is a bug) is the only safe answer.
        decimal cost = checked(rate * input.GetLong(p.DurationField));
        if (input.GetBool(p.AudioField))
        {
            cost *= p.AudioMultiplier;
        }

        return checked((long)decimal.Ceiling(cost));
    }

    /// <summary>Resolves the validated input into an engine's spec; <paramref name="seed"/> is concrete.</summary>
    public static GenerationSpec Resolve(ModelDefinition model, ValidatedInput input, long seed)
    {
        var o = model.Output;
        var ratio = input.GetString(o.RatioField);
        if (ratio == o.AdaptiveValue && o.AdaptiveDefault is not null)
        {
            ratio = o.AdaptiveDefault;
        }

        var resolution = input.GetString(o.ResolutionField);
        var (width, height) = ParseSize(o.Sizes[resolution][ratio]);
        return new GenerationSpec(
            model.Id,
            input.GetString(o.PromptField),
            ratio,
            resolution,
            width,
            height,
            model.Fps,
            (int)input.GetLong(o.DurationField),
            input.GetBool(o.AudioField),
            seed,
            input.GetBool(o.WebSearchField));
    }

    /// <summary>True when the input turned the content check on and the prompt has a listed term.</summary>
    public static bool ViolatesContentPolicy(ModelDefinition model, ValidatedInput input) =>
        input.GetBool(model.ContentPolicy.SwitchField)
        && ContentPolicyMatcher.Matches(input.GetString(model.Output.PromptField), model.ContentPolicy.Terms);

    private static (int Width, int Height) ParseSize(string size)
    {
        var parts = size.Split('x');
        return (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Fails loudly at start when the catalog contradicts itself.</summary>
    private static void CheckConsistency(ModelDefinition m)
    {
        string Where(string what) => $"model catalog: model '{m.Id}': {what}";
        var fields = m.Input.ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var name in new[] { m.Output.PromptField, m.Output.RatioField, m.Output.ResolutionField, m.Output.DurationField, m.Pricing.RateField, m.Pricing.DurationField })
        {
            if (!fields.ContainsKey(name))
            {
                throw new InvalidDataException(Where($"field '{name}' is used by output or pricing but not declared in input"));
            }
        }

        foreach (var f in m.Input)
        {
            if (f.Type is not ("string" or "enum" or "wholeNumber" or "integer" or "boolean"))
            {
                throw new InvalidDataException(Where($"input '{f.Name}' has unknown type '{f.Type}'"));
            }

            if (f.AliasOf is not null && !fields.ContainsKey(f.AliasOf))
            {
                throw new InvalidDataException(Where($"input '{f.Name}' is an alias of undeclared '{f.AliasOf}'"));
            }
        }

        var ratios = fields[m.Output.RatioField].Values ?? [];
        foreach (var resolution in fields[m.Output.ResolutionField].Values ?? [])
        {
            if (!m.Output.Sizes.TryGetValue(resolution, out var row))
            {
                throw new InvalidDataException(Where($"no size row for resolution '{resolution}'"));
            }

            if (!m.Pricing.RatesPerSecond.ContainsKey(resolution))
            {
                throw new InvalidDataException(Where($"no price for resolution '{resolution}'"));
            }

            foreach (var ratio in ratios.Where(r => r != m.Output.AdaptiveValue))
            {
                if (!row.TryGetValue(ratio, out var size) || size.Split('x') is not [var w, var h] || !int.TryParse(w, out _) || !int.TryParse(h, out _))
                {
                    throw new InvalidDataException(Where($"no valid WIDTHxHEIGHT size for {resolution} {ratio}"));
                }
            }
        }
    }
}
