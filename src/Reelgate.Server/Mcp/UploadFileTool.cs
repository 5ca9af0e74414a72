using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using Reelgate.Server.Api;
using Reelgate.Server.Security;
using Reelgate.Server.Uploads;

namespace Reelgate.Server.Mcp;

/// <summary>
/// The MCP tool <c>upload_file</c>: <c>POST /api/v1/files</c> for agents. The file comes as
/// <c>base64Data</c> (plain base64 or a <c>data:</c> URL) or as a <c>fileUrl</c> the server fetches
/// (public addresses only), and goes through <see cref="UploadService"/> like every upload: the
/// same content inspection, quota and retention. The answer is the REST answer's <c>data</c>
/// (fileId, fileUrl, ...), whose <c>fileUrl</c> is then a media input of <c>generate_video</c>.
/// An MCP request body is at most 1 MiB, so base64 carries files up to about 750 KiB; larger
/// files go by <c>fileUrl</c> or the REST route.
/// </summary>
public sealed class UploadFileTool(UploadService uploads, RemoteMediaFetcher fetcher, TaskView view)
{
    public const string Name = "upload_file";

    public const string Description =
        "Upload an image (JPEG, PNG, WebP), video (MP4, MOV) or audio file (MP3, WAV, M4A), checked by content and kept for a few days; "
        + "pass the returned fileUrl as a media input of generate_video (image_urls, reference_*_urls, first_frame_url...). "
        + "Give base64Data (base64 or a data: URL; the request is at most 1 MiB) or fileUrl (fetched by the server).";

    /// <summary>The input schema (only keywords <see cref="ToolArgumentValidator"/> enforces).</summary>
    public static JsonObject InputSchema() => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["base64Data"] = new JsonObject { ["type"] = "string", ["minLength"] = 1, ["description"] = "The file as base64, or a data: URL (data:image/png;base64,...); the declared type is ignored." },
            ["fileUrl"] = new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = 2048, ["format"] = "uri", ["description"] = "An http(s) URL the server fetches instead (public addresses only, 30 s)." },
            ["fileName"] = new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = 255, ["description"] = "A display name; the type comes from the content." },
        },
        ["additionalProperties"] = false,
    };

    /// <summary>The output schema: the upload's data as <c>POST /api/v1/files</c> returns it.</summary>
    public static JsonObject OutputSchema()
    {
        JsonObject Of(string type) => new() { ["type"] = type };
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["fileId"] = Of("string"),
                ["fileUrl"] = Of("string"),
                ["mimeType"] = Of("string"),
                ["fileSize"] = Of("integer"),
                ["width"] = Of("integer"),
                ["height"] = Of("integer"),
                ["duration"] = Of("number"),
                ["expiresAt"] = Of("string"),
            },
            ["required"] = new JsonArray("fileId", "fileUrl", "mimeType", "fileSize", "width", "height", "duration", "expiresAt"),
        };
    }

    /// <summary>Stores the file for the key's account; the arguments already passed the schema.</summary>
    public async Task<CallToolResult> CallAsync(HttpContext http, AuthenticatedKey key, IReadOnlyDictionary<string, JsonElement> args, CancellationToken ct)
    {
        string? Str(string name) => args.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var base64 = Str("base64Data");
        var url = Str("fileUrl");
        if (base64 is null == url is null)
        {
            return ToolResults.Error(422, "validation error: exactly one of base64Data and fileUrl is required");
        }

        var fileName = Str("fileName");
        SpooledFile spooled;
        if (base64 is not null)
        {
            if (Base64Payload.Decode(base64) is not { } bytes)
            {
                return ToolResults.Error(422, "validation error: base64Data is neither base64 nor a base64 data: URL");
            }

            using var source = new MemoryStream(bytes, writable: false);
            spooled = await uploads.SpoolAsync(source, ct);
        }
        else
        {
            var (fetched, error) = await fetcher.FetchAsync(url!, ct);
            if (fetched is null)
            {
                return ToolResults.Error(422, "validation error: " + error);
            }

            spooled = fetched;
            fileName ??= Path.GetFileName(new Uri(url!).AbsolutePath);
        }

        using (spooled)
        {
            var result = await uploads.StoreAsync(key.AccountId, spooled, fileName, view.BaseUrl(http.Request), ct);
            return result.File is { } stored
                ? ToolResults.Ok(JsonSerializer.SerializeToNode(UploadEndpoints.ToData(stored, result.Url!), ApiJsonContext.Web.UploadData)!.AsObject())
                : ToolResults.Error(result.ErrorCode, result.Error!);
        }
    }
}
