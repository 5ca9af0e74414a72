using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Reelgate.Server.Tests.Infrastructure;

/// <summary>
/// The served <c>/openapi/v1.json</c> as a contract: finds the operation a request hit and
/// validates JSON against the document's schemas. OpenAPI 3.1 schemas are JSON Schema 2020-12,
/// so each schema is checked as one 2020-12 document whose <c>$defs</c> are the components
/// (<c>#/components/schemas/X</c> rewritten to <c>#/$defs/X</c>) and evaluated with JsonSchema.Net.
/// </summary>
public sealed class OpenApiContract
{
    private const string ComponentsPrefix = "#/components/schemas/";

    // Servers with the same configuration serve the same document: parse and build once per text.
    private static readonly ConcurrentDictionary<string, OpenApiContract> ByDocument = new();

    /// <summary>
    /// JSON Schema 2020-12 as OpenAPI 3.1's base dialect uses it: unknown keywords (<c>x-...</c>
    /// extensions, <c>example</c>) are annotations, not errors (JsonSchema.Net refuses them by default).
    /// </summary>
    private static readonly Dialect OpenApiDialect = Dialect.Draft202012.With([], allowUnknownKeywords: true);

    private readonly string _defs;
    private readonly IReadOnlyList<ContractOperation> _operations;
    private readonly ConcurrentDictionary<string, Lazy<JsonSchema>> _schemas = new();

    private OpenApiContract(JsonObject document)
    {
        Document = document;
        _defs = (document["components"]?["schemas"]?.ToJsonString() ?? "{}").Replace(ComponentsPrefix, "#/$defs/", StringComparison.Ordinal);
        _operations = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject()
                .Where(m => m.Value is JsonObject op && op.ContainsKey("responses"))
                .Select(m => new ContractOperation(p.Key, m.Key.ToUpperInvariant(), m.Value!.AsObject(), p.Value["parameters"]?.AsArray())))
            .OrderBy(o => o.TemplatedSegments)
            .ToList();
    }

    public JsonObject Document { get; }

    public static OpenApiContract Parse(string documentJson) =>
        ByDocument.GetOrAdd(documentJson, text => new OpenApiContract(JsonNode.Parse(text)!.AsObject()));

    /// <summary>Fetches the document a server serves (with a plain client: the fetch itself is not checked).</summary>
    public static async Task<OpenApiContract> FetchAsync(Uri baseAddress)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        return Parse(await http.GetStringAsync("/openapi/v1.json"));
    }

    /// <summary>The operation for a method and an (escaped) request path, or null when the document has none.</summary>
    public ContractOperation? Find(string method, string path) =>
        _operations.FirstOrDefault(o => o.Method == method && o.Matches(path));

    /// <summary>
    /// Validates JSON text against a schema taken from the document (it may hold <c>$ref</c>s into
    /// the components). Returns one line per failure, empty when valid.
    /// </summary>
    public IReadOnlyList<string> Validate(JsonNode schema, string json)
    {
        JsonDocument instance;
        try
        {
            instance = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            return [$"not JSON: {e.Message}"];
        }

        using (instance)
        {
            var compiled = _schemas.GetOrAdd(schema.ToJsonString(), text => new Lazy<JsonSchema>(() => Build(text))).Value;
            var results = compiled.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            return results.IsValid ? [] : Failures(results);
        }
    }

    private JsonSchema Build(string schemaText)
    {
        var root = JsonNode.Parse(schemaText.Replace(ComponentsPrefix, "#/$defs/", StringComparison.Ordinal))!.AsObject();
        root["$defs"] = JsonNode.Parse(_defs);
        using var doc = JsonDocument.Parse(root.ToJsonString());
        // A registry of its own: built schemas get random base URIs and must not pile up in the global one.
        return JsonSchema.Build(doc.RootElement.Clone(), new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = OpenApiDialect });
    }

    /// <summary>
    /// The failures worth reading: a failing branch inside a passing <c>oneOf</c>/<c>anyOf</c> is no
    /// failure, so only nodes with no passing ancestor count; of those, the ones with a message and
    /// the deepest ones without (JsonSchema.Net gives some keywords, like a failed oneOf, no message).
    /// </summary>
    private static List<string> Failures(EvaluationResults results)
    {
        var details = (results.Details ?? []).Select(d => (Path: d.EvaluationPath.ToString(), Detail: d)).ToList();
        var passing = details.Where(d => d.Detail.IsValid).Select(d => d.Path).ToList();
        var failing = details.Where(d => !d.Detail.IsValid && !passing.Any(p => d.Path.StartsWith(p + "/", StringComparison.Ordinal))).ToList();
        var lines = new List<string>();
        foreach (var (path, detail) in failing)
        {
            var at = detail.InstanceLocation.ToString() is { Length: > 0 } i ? i : "/";
            if (detail.Errors is { Count: > 0 } errors)
            {
                lines.AddRange(errors.Select(e => $"{at}: {e.Key}: {e.Value} (schema {path})"));
            }
            else if (!failing.Any(f => f.Path.StartsWith(path + "/", StringComparison.Ordinal)))
            {
                lines.Add($"{at}: fails {path}");
            }
        }

        return lines.Count > 0 ? lines.Distinct().Take(12).ToList() : ["invalid (no detail)"];
    }
}
