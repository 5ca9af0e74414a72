using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Reelgate.Server.Tests.Infrastructure;

/// <summary>
/// Checks every exchange a test makes against the served OpenAPI document, so the document
/// cannot drift from what the server answers: for a request whose method and path match an
/// operation, the status must be documented, the media type too, and a JSON body must validate
/// against the documented schema. When the answer is 2xx the request must fit as well (its query
/// names and its JSON body): hostile-input tests send bad requests on purpose, and those are
/// refused. Other paths (web pages, <c>/metrics</c>, <c>/mcp</c>) pass untouched, and only JSON
/// bodies are buffered, so server-sent events and files still stream.
/// </summary>
public sealed class ContractCheckingHandler(Func<Task<OpenApiContract>> contract, Action<string> violated) : DelegatingHandler
{
    private const int BodyPrefix = 400;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The first call of a server fetches the document while its request runs, not after it
        // (timing tests measure the call).
        var document = contract();
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        var operation = (await document).Find(request.Method.Method, path);
        if (operation is null)
        {
            return response;
        }

        var problems = new List<string>();
        string? body = null;
        var status = (int)response.StatusCode;
        var documented = operation.Response(status);
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is not null && IsJson(mediaType) && HasBody(request, response))
        {
            // Buffered here (JSON only: streams and files stay unbuffered); the test still reads the same content afterwards.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }

        if (documented is null)
        {
            problems.Add($"status {status} is not documented (documented: {string.Join(", ", operation.DocumentedStatuses)})");
        }
        else if (mediaType is not null && HasBody(request, response))
        {
            var content = documented["content"]?.AsObject();
            var media = content?[mediaType];
            if (media is null)
            {
                problems.Add($"media type {mediaType} is not documented for {status} (documented: {string.Join(", ", content?.Select(c => c.Key) ?? ["no body"])})");
            }
            else if (body is not null && media["schema"] is { } schema)
            {
                problems.AddRange((await document).Validate(schema, body).Select(p => "response body " + p));
            }
        }

        if (status is >= 200 and < 300)
        {
            problems.AddRange(CheckQuery(operation, request.RequestUri));
            problems.AddRange(await CheckRequestBodyAsync(await document, operation, request));
        }

        if (problems.Count > 0)
        {
            var message = $"OpenAPI contract: {request.Method} {path} ({operation.Method} {operation.Template}) answered {status}:\n  - "
                + string.Join("\n  - ", problems)
                + (body is null ? "" : $"\n  body: {(body.Length > BodyPrefix ? body[..BodyPrefix] + "..." : body)}");
            violated(message);
            response.Dispose();
            throw new ContractViolationException(message);
        }

        return response;
    }

    private static bool IsJson(string mediaType) =>
        mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    /// <summary>HEAD answers and empty bodies (a 416's Content-Length: 0) have a Content-Type but nothing to check.</summary>
    private static bool HasBody(HttpRequestMessage request, HttpResponseMessage response) =>
        request.Method != HttpMethod.Head && response.Content.Headers.ContentLength is not 0;

    /// <summary>Every query name an accepted request used is documented, and every required one was sent.</summary>
    private static IEnumerable<string> CheckQuery(ContractOperation operation, Uri uri)
    {
        var sent = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => Uri.UnescapeDataString(pair.Split('=')[0].Replace('+', ' ')))
            .ToHashSet(StringComparer.Ordinal);
        var declared = operation.QueryParameters.ToDictionary(p => (string)p["name"]!, p => (bool?)p["required"] == true, StringComparer.Ordinal);
        foreach (var name in sent.Where(n => !declared.ContainsKey(n)))
        {
            yield return $"query parameter '{name}' was accepted but is not documented";
        }

        foreach (var (name, _) in declared.Where(d => d.Value && !sent.Contains(d.Key)))
        {
            yield return $"required query parameter '{name}' was not sent, yet the request was accepted";
        }
    }

    /// <summary>An accepted request's JSON body fits the documented request body.</summary>
    private static async Task<IEnumerable<string>> CheckRequestBodyAsync(OpenApiContract contract, ContractOperation operation, HttpRequestMessage request)
    {
        var documented = operation.RequestBody;
        if (request.Content is not (null or ByteArrayContent or JsonContent or ReadOnlyMemoryContent))
        {
            return []; // a stream: reading it again is not possible, so it goes unchecked
        }

        var text = request.Content is null ? "" : await request.Content.ReadAsStringAsync();
        if (text.Length == 0)
        {
            return documented is not null && (bool?)documented["required"] == true
                ? ["the request body is documented as required, yet a request without one was accepted"]
                : [];
        }

        if (request.Content!.Headers.ContentType?.MediaType is { } type && !IsJson(type))
        {
            return [];
        }

        if (documented?["content"]?["application/json"] is not JsonObject media)
        {
            return ["a JSON request body was accepted, but the operation documents none"];
        }

        return media["schema"] is { } schema ? contract.Validate(schema, text).Select(p => "request body " + p) : [];
    }
}
