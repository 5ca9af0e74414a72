using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Reelgate.Server.Tests.Mcp;

/// <summary>
/// JSON-RPC posted to /mcp by hand, for what the SDK's client cannot send: oversized, chunked or
/// invalid UTF-8 bodies and browser Origin headers. The server is stateless, so a tools/call
/// needs no initialize first.
/// </summary>
public static class RawMcp
{
    /// <summary>A tools/call request's bytes, with the arguments' JSON text spliced in as given.</summary>
    public static byte[] ToolCall(string tool, string argumentsJson) =>
        Encoding.UTF8.GetBytes($$$"""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"{{{tool}}}","arguments":{{{argumentsJson}}}}}""");

    public static async Task<(HttpStatusCode Status, JsonObject? Message)> PostAsync(HttpClient client, HttpContent content, string? origin = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = content };
        content.Headers.ContentType ??= new MediaTypeHeaderValue("application/json");
        request.Headers.Add("Accept", "application/json, text/event-stream");
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)));
    }

    public static Task<(HttpStatusCode Status, JsonObject? Message)> PostAsync(HttpClient client, byte[] body, string? origin = null) =>
        PostAsync(client, new ByteArrayContent(body), origin);

    /// <summary>The JSON-RPC message of a plain JSON answer or of the first SSE <c>data:</c> line.</summary>
    private static JsonObject? Parse(string text)
    {
        if (text.TrimStart().StartsWith('{'))
        {
            return JsonNode.Parse(text)!.AsObject();
        }

        var data = text.Split('\n').FirstOrDefault(l => l.StartsWith("data:", StringComparison.Ordinal));
        return data is null ? null : JsonNode.Parse(data["data:".Length..])!.AsObject();
    }
}
