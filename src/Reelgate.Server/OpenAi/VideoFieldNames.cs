using System.Text.RegularExpressions;
using Reelgate.Core.Catalog;

namespace Reelgate.Server.OpenAi;

/// <summary>
/// Which catalog input field each OpenAI field of a model becomes, and back: a refusal of the
/// catalog's rules (<c>input.duration must be a whole number from 4 to 15</c>) is worded with the
/// field the client sent (<c>seconds must be ...</c>, <c>param: "seconds"</c>). Read from the
/// model's output rules, so no model's field names appear in code.
/// </summary>
public sealed partial class VideoFieldNames
{
    private readonly Dictionary<string, string> _toOpenAi = new(StringComparer.Ordinal);

    public VideoFieldNames(ModelDefinition model)
    {
        var o = model.Output;
        Prompt = o.PromptField;
        Duration = o.DurationField;
        Resolution = o.ResolutionField;
        Ratio = o.RatioField;
        FirstFrame = model.Input.FirstOrDefault(f => f.IsMedia && f.Roles is { Count: > 0 } roles && roles[0] == "first_frame");
        _toOpenAi[Prompt] = "prompt";
        _toOpenAi[Duration] = "seconds";
        _toOpenAi[Resolution] = "size";
        _toOpenAi[Ratio] = "size";
        foreach (var alias in model.Input.Where(f => f.AliasOf == Ratio))
        {
            _toOpenAi[alias.Name] = "size";
        }

        if (FirstFrame is not null)
        {
            _toOpenAi[FirstFrame.Name] = "input_reference";
        }
    }

    public string Prompt { get; }

    public string Duration { get; }

    public string Resolution { get; }

    public string Ratio { get; }

    /// <summary>The media field whose first URL is the first frame (<c>input_reference</c>), or null when the model takes none.</summary>
    public InputField? FirstFrame { get; }

    /// <summary>The OpenAI parameter behind a catalog field (<c>input.image_urls[0]</c> → <c>input_reference</c>); other fields as they are.</summary>
    public string? ParamOf(string? field)
    {
        if (field is null)
        {
            return null;
        }

        var m = InputField().Match(field);
        return m.Success && _toOpenAi.TryGetValue(m.Groups["name"].Value, out var name) ? name : field;
    }

    /// <summary>A catalog message with each <c>input.field[n]</c> it names replaced by the OpenAI parameter.</summary>
    public string Rewrite(string message) =>
        InputField().Replace(message, m => _toOpenAi.TryGetValue(m.Groups["name"].Value, out var name) ? name : m.Value);

    [GeneratedRegex(@"input\.(?<name>[A-Za-z0-9_]+)(\[\d+\])?")]
    private static partial Regex InputField();
}
