using System.Text.Json;
using Reelgate.Core.Media;

namespace Reelgate.Core.Catalog;

/// <summary>
/// The public models, read from the catalog data file. Validation, pricing, output sizes and
/// the content policy all read from here: nothing model-specific lives in code.
/// </summary>
public sealed class ModelCatalog
{
    private readonly List<ModelDefinition> _models = [];

    /// <summary>Every id a client may send (each model's own and its aliases) to its model.</summary>
    private readonly Dictionary<string, ModelDefinition> _ids = new(StringComparer.Ordinal);

    public ModelCatalog(IEnumerable<ModelDefinition> models)
    {
        foreach (var model in models)
        {
            CheckConsistency(model);
            foreach (var id in model.Aliases.Prepend(model.Id))
            {
                if (!_ids.TryAdd(id, model))
                {
                    throw new InvalidDataException($"model catalog: id '{id}' is claimed by model '{_ids[id].Id}' and by model '{model.Id}'; an id names one model");
                }
            }

            _models.Add(model);
        }
    }

    public IReadOnlyCollection<ModelDefinition> Models => _models;

    /// <summary>The model a client's id names: its own id or one of its aliases.</summary>
    public bool TryGet(string id, out ModelDefinition model) => _ids.TryGetValue(id, out model!);

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

    /// <summary>cost = rate(resolution) x duration (x audio multiplier), rounded up: read from the resolved spec.</summary>
    public static long Price(ModelDefinition model, GenerationSpec spec)
    {
        var p = model.Pricing;
        var rate = p.RatesPerSecond[spec.Resolution];

        // Checked: a catalog rate times a duration that overflowed would wrap to a small or
        // negative price; throwing (a broken catalog is a bug) is the only safe answer.
        decimal cost = checked(rate * (long)spec.DurationSeconds);
        if (spec.Audio)
        {
            cost *= p.AudioMultiplier;
        }

        return checked((long)decimal.Ceiling(cost));
    }

    /// <summary>The price of validated input: resolved into its spec first, so price and engine read the same facts.</summary>
    public static long Price(ModelDefinition model, ValidatedInput input) => Price(model, Resolve(model, input, 0));

    /// <summary>Resolves the validated input into an engine's spec; <paramref name="seed"/> is concrete.</summary>
    public static GenerationSpec Resolve(ModelDefinition model, ValidatedInput input, long seed)
    {
        var o = model.Output;
        var media = MediaOf(model, input);
        var ratio = input.GetString(o.RatioField);
        // Adaptive with a first frame: the worker picks the catalog ratio nearest the image's
        // aspect once it has the image (size 0x0 until then); otherwise the catalog's default.
        if (ratio == o.AdaptiveValue && o.AdaptiveDefault is not null && !media.Any(m => m.Role == MediaRoles.FirstFrame))
        {
            ratio = o.AdaptiveDefault;
        }

        var resolution = input.GetString(o.ResolutionField);
        // No size for the ratio only for the adaptive value without a default: 0x0, the engine picks.
        var (width, height) = o.Sizes[resolution].TryGetValue(ratio, out var size) ? ParseSize(size) : (0, 0);
        return new GenerationSpec(
            model.Id,
            input.Values.TryGetValue(o.PromptField, out var prompt) ? (string)prompt : "",
            ratio,
            resolution,
            width,
            height,
            model.Fps,
            (int)input.GetLong(o.DurationField),
            input.GetBool(o.AudioField),
            seed,
            input.GetBool(o.WebSearchField))
        {
            ContentCheck = input.GetBool(model.ContentPolicy.SwitchField),
            Media = media,
            ReturnLastFrame = input.GetBool(o.ReturnLastFrameField),
        };
    }

    /// <summary>The media inputs in the catalog's field order, each with its role.</summary>
    private static List<MediaInput> MediaOf(ModelDefinition model, ValidatedInput input)
    {
        var media = new List<MediaInput>();
        foreach (var field in model.Input.Where(f => f.IsMedia && f.AliasOf is null))
        {
            switch (input.Values.GetValueOrDefault(field.Name))
            {
                case string url:
                    media.Add(new MediaInput(field.RoleAt(0), field.Name, -1, url));
                    break;
                case IReadOnlyList<string> urls:
                    media.AddRange(urls.Select((url, i) => new MediaInput(field.RoleAt(i), field.Name, i, url)));
                    break;
            }
        }

        return media;
    }

    /// <summary>True when the spec has the content check on and its prompt has a term of the catalog's list.</summary>
    public static bool ViolatesContentPolicy(ModelDefinition model, GenerationSpec spec) =>
        spec.ContentCheck && ContentPolicyMatcher.Matches(spec.Prompt, model.ContentPolicy.Terms);

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
        foreach (var name in new[] { m.Output.PromptField, m.Output.RatioField, m.Output.ResolutionField, m.Output.DurationField })
        {
            if (!fields.ContainsKey(name))
            {
                throw new InvalidDataException(Where($"field '{name}' is used by output but not declared in input"));
            }
        }

        // One catalog field per fact: pricing reads the spec, so an older file's pricing field
        // names are accepted only when they say what output says.
        foreach (var (legacy, name, output) in new[]
        {
            ("rateField", m.Pricing.RateField, m.Output.ResolutionField),
            ("durationField", m.Pricing.DurationField, m.Output.DurationField),
            ("audioField", m.Pricing.AudioField, m.Output.AudioField),
        })
        {
            if (name is not null && name != output)
            {
                throw new InvalidDataException(Where($"pricing.{legacy} '{name}' differs from output's '{output}'; pricing reads output's fields, remove pricing.{legacy}"));
            }
        }

        foreach (var f in m.Input)
        {
            if (f.Type is not ("string" or "enum" or "wholeNumber" or "integer" or "boolean" or "url" or "urlList"))
            {
                throw new InvalidDataException(Where($"input '{f.Name}' has unknown type '{f.Type}'"));
            }

            if (f.IsMedia != f.Roles is { Count: > 0 })
            {
                throw new InvalidDataException(Where($"input '{f.Name}': url and urlList fields need roles, and only they take them"));
            }

            if (f.Roles?.FirstOrDefault(r => !MediaRoles.All.Contains(r)) is { } role)
            {
                throw new InvalidDataException(Where($"input '{f.Name}' has unknown role '{role}' (known: {string.Join(", ", MediaRoles.All)})"));
            }

            if (f.AliasOf is not null && !fields.ContainsKey(f.AliasOf))
            {
                throw new InvalidDataException(Where($"input '{f.Name}' is an alias of undeclared '{f.AliasOf}'"));
            }
        }

        var rules = m.MediaRules;
        foreach (var role in rules.RequireAnyOf.Concat(rules.Exclusive.SelectMany(g => g)).Concat(rules.Requires.SelectMany(r => r.AnyOf.Append(r.Role))))
        {
            if (!MediaRoles.All.Contains(role))
            {
                throw new InvalidDataException(Where($"mediaRules names unknown role '{role}'"));
            }
        }

        if (m.Output.ReturnLastFrameField is { } lastFrame && (!fields.TryGetValue(lastFrame, out var lf) || lf.Type != "boolean"))
        {
            throw new InvalidDataException(Where($"output.returnLastFrameField '{lastFrame}' is not a declared boolean input"));
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
