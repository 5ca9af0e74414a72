using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Reelgate.Server.Api;

/// <summary>Small JSON request bodies of the admin API and cancel (createTask has its own parser).</summary>
public static class JsonRequest
{
    /// <summary>Reads a small JSON object body; 400 invalid request when it is not one.</summary>
    public static async Task<(T? Body, IResult? Error)> ReadAsync<T>(HttpContext http, JsonTypeInfo<T> type)
        where T : class
    {
        var (body, _, error) = await ReadWithFieldsAsync(http, type);
        return (body, error);
    }

    /// <summary>As <see cref="ReadAsync{T}"/>, with the names of the fields the object had (a PATCH tells absent from null by them).</summary>
    public static async Task<(T? Body, IReadOnlyList<string> Fields, IResult? Error)> ReadWithFieldsAsync<T>(HttpContext http, JsonTypeInfo<T> type)
        where T : class
    {
        if (!RequestBodyReader.HasJsonContentType(http.Request))
        {
            return (null, [], ApiResults.Error(400, ApiResults.InvalidRequest));
        }

        var bytes = await RequestBodyReader.ReadAsync(http.Request, http.RequestAborted);
        if (bytes is null)
        {
            return (null, [], ApiResults.Error(400, ApiResults.InvalidRequest));
        }

        if (bytes.Length == 0)
        {
            bytes = "{}"u8.ToArray();
        }

        try
        {
            using var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, [], ApiResults.Error(400, ApiResults.InvalidRequest));
            }

            var fields = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
            var body = JsonSerializer.Deserialize(bytes, type);
            return body is null ? (null, [], ApiResults.Error(400, ApiResults.InvalidRequest)) : (body, fields, null);
        }
        catch (JsonException)
        {
            return (null, [], ApiResults.Error(400, ApiResults.InvalidRequest));
        }
    }
}
