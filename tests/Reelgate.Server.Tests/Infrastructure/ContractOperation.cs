using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Reelgate.Server.Tests.Infrastructure;

/// <summary>One operation of the served OpenAPI document: its path template, method and JSON.</summary>
public sealed class ContractOperation(string template, string method, JsonObject operation, JsonArray? pathParameters)
{
    private readonly Regex _path = new("^" + string.Join("/", template.Split('/').Select(s => s.StartsWith('{') ? "[^/]+" : Regex.Escape(s))) + "$", RegexOptions.CultureInvariant);

    public string Template { get; } = template;

    public string Method { get; } = method;

    public JsonObject Json { get; } = operation;

    /// <summary>Literal segments win over templated ones (<c>/jobs/list</c> before <c>/jobs/{x}</c>).</summary>
    public int TemplatedSegments { get; } = template.Count(c => c == '{');

    public bool Matches(string path) => _path.IsMatch(path);

    /// <summary>The operation's parameters and its path item's (the operation's win by name and place).</summary>
    public IEnumerable<JsonObject> Parameters =>
        (Json["parameters"]?.AsArray() ?? []).Concat(pathParameters ?? []).OfType<JsonObject>()
            .DistinctBy(p => ((string?)p["name"], (string?)p["in"]));

    public IEnumerable<JsonObject> QueryParameters => Parameters.Where(p => (string?)p["in"] == "query");

    /// <summary>The documented response for a status: exact, then <c>4XX</c>-style ranges, then <c>default</c>.</summary>
    public JsonObject? Response(int status)
    {
        var responses = Json["responses"]?.AsObject();
        return (responses?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)]
            ?? responses?[$"{status / 100}XX"]
            ?? responses?["default"])?.AsObject();
    }

    public IEnumerable<string> DocumentedStatuses => Json["responses"]?.AsObject().Select(r => r.Key) ?? [];

    public JsonObject? RequestBody => Json["requestBody"]?.AsObject();
}
