using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Reelgate.Core.Cluster;
using Reelgate.Engines.Upstream;
using Reelgate.Server.Security;

namespace Reelgate.Server.Api;

/// <summary>
/// <c>POST /hooks/upstream/{engine}?sig=</c>: where upstream engines with
/// <c>Reelgate:Engines:{name}:Callbacks</c> call back (ModelArk's <c>callback_url</c>, a peer's
/// <c>callBackUrl</c>). The signature (HMAC of the engine name with the URL signing secret) keeps
/// strangers from making us poll; a valid call only wakes the poll of the upstream task it names
/// (on this node, and through the cluster signals on the others), so the task's outcome is always read from
/// the upstream itself, never taken from the callback body.
/// </summary>
public static class UpstreamHookEndpoints
{
    public static IEndpointRouteBuilder MapUpstreamHooks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/hooks/upstream/{engine}", HandleAsync).ExcludeFromDescription();
        return app;
    }

    /// <summary>The callback URL for an engine, on the public origin.</summary>
    public static Uri CallbackUrl(string publicBaseUrl, string engine, DataDirectorySecrets secrets) =>
        new(publicBaseUrl.TrimEnd('/') + "/hooks/upstream/" + Uri.EscapeDataString(engine) + "?sig=" + Signature(engine, secrets));

    private static async Task<IResult> HandleAsync(string engine, HttpContext http, DataDirectorySecrets secrets, UpstreamWakeups wakeups, IClusterSignals signals)
    {
        var sig = http.Request.Query["sig"];
        if (sig.Count != 1 || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Signature(engine, secrets)), Encoding.ASCII.GetBytes(sig[0] ?? "")))
        {
            return ApiResults.Error(403, "forbidden");
        }

        var body = await RequestBodyReader.ReadAsync(http.Request, http.RequestAborted);
        string? upstreamId = null;
        try
        {
            if (body is not null)
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                // ModelArk sends the task object ({"id": ...}); a jobs-API peer its envelope ({"data": {"taskId": ...}}).
                upstreamId = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()
                    : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
                        && data.TryGetProperty("taskId", out var taskId) && taskId.ValueKind == JsonValueKind.String ? taskId.GetString()
                    : null;
            }
        }
        catch (JsonException)
        {
            upstreamId = null;
        }

        if (string.IsNullOrEmpty(upstreamId) || upstreamId.Length > 200)
        {
            return ApiResults.Error(400, "the callback names no task (id or data.taskId)");
        }

        wakeups.Wake(upstreamId);
        // The node polling this upstream task may be another one. Best effort: when the signal
        // cannot be sent, polling finds the result anyway.
        await signals.PublishUpstreamHookAsync(upstreamId, http.RequestAborted);
        return ApiResults.OkNull();
    }

    private static string Signature(string engine, DataDirectorySecrets secrets) => ResultUrlSigner.Mac(secrets, "upstream-hook\n" + engine);
}
