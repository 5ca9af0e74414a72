using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Reelgate.Core.Catalog;
using Reelgate.Core.Tasks;
using Reelgate.Core.Uploads;
using Reelgate.Server.Api;
using Reelgate.Server.Creation;
using Reelgate.Server.Options;
using Reelgate.Server.Uploads;

namespace Reelgate.Server.OpenAi;

/// <summary>
/// OpenAI's create and remix as a createTask body of a catalog model, handed to the one create
/// use case (<see cref="TaskCreator"/>: rate limit already counted, validation, idempotency,
/// active-task limit, credits, queue). The mapping: <c>prompt</c> → the model's prompt field,
/// <c>seconds</c> → its duration field, <c>size</c> → the resolution and ratio whose catalog size
/// it is, <c>input_reference</c> → the first URL of its first-frame field (a file part is stored
/// as an upload first, checked by content). The catalog's own rules then refuse what they refuse,
/// worded with the OpenAI parameter (<see cref="VideoFieldNames"/>).
/// </summary>
public sealed partial class VideoCreator(
    ModelCatalog catalog,
    TaskCreator creator,
    ITaskStore tasks,
    UploadService uploads,
    IUploadStore uploadStore,
    VideoView videos,
    TaskView view,
    IOptions<ReelgateOptions> options)
{
    private const string Placeholder = "https://upload.invalid/input_reference.png";
    private static readonly JsonWriterOptions WriteOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<IResult> CreateAsync(HttpContext http, VideoCreateRequest request)
    {
        var key = ApiCaller.Of(http).Key;
        var defaults = options.Value.OpenAi;
        var modelId = request.Model ?? (request.HasReference ? defaults.DefaultImageModel : defaults.DefaultModel);
        if (!catalog.TryGet(modelId, out var model))
        {
            return OpenAiErrors.BadRequest($"model '{modelId}' is not supported; GET /api/v1/models lists the catalog", "model", "model_not_found");
        }

        var names = new VideoFieldNames(model);
        if (request.HasReference && names.FirstFrame is null)
        {
            return OpenAiErrors.BadRequest($"model '{modelId}' takes no first frame: leave input_reference out, or use an image-to-video model", "input_reference");
        }

        var sizes = model.Output.Sizes.SelectMany(r => r.Value.Select(s => (Size: s.Value, Resolution: r.Key, Ratio: s.Key))).ToList();
        var size = request.Size ?? (sizes.Any(s => s.Size == defaults.DefaultSize) ? defaults.DefaultSize : null);
        (string Resolution, string Ratio)? chosen = null;
        if (size is not null)
        {
            var match = sizes.FirstOrDefault(s => s.Size == size);
            if (match.Size is null)
            {
                return OpenAiErrors.BadRequest($"size must be one of {string.Join(", ", sizes.Select(s => s.Size))} for model '{modelId}'", "size");
            }

            chosen = (match.Resolution, match.Ratio);
        }

        var url = request.ImageUrl;
        if (request.FileId is { } fileId)
        {
            var file = await uploadStore.FindAsync(fileId, http.RequestAborted);
            if (file is null || file.AccountId != key.AccountId)
            {
                return OpenAiErrors.BadRequest("input_reference.file_id names no file uploaded by this account (POST /api/v1/files)", "input_reference");
            }

            url = uploads.SignedUrl(file, view.BaseUrl(http.Request));
        }

        string? idempotencyText = null;
        if (request.File is { } spooled)
        {
            // The other fields are checked before the file is stored, so a refused request keeps nothing.
            using (var check = JsonDocument.Parse(Body(modelId, names, request, chosen, Placeholder)))
            {
                var validated = InputValidator.Validate(model, check.RootElement.GetProperty("input"));
                if (!validated.IsValid)
                {
                    return OpenAiErrors.BadRequest(names.Rewrite(validated.Detail!), names.ParamOf(validated.Field));
                }
            }

            // A retry stores the file again under a new URL: "the same body" is the same file's bytes.
            idempotencyText = Body(modelId, names, request, chosen, "sha256:" + await HashAsync(spooled.Path!, http.RequestAborted));
            var stored = await uploads.StoreAsync(key.AccountId, spooled, request.FileName, view.BaseUrl(http.Request), http.RequestAborted);
            if (stored.Url is null)
            {
                return OpenAiErrors.BadRequest(FileWord().Replace(stored.Error!, "input_reference "), "input_reference");
            }

            url = stored.Url;
        }

        return await SubmitAsync(http, Body(modelId, names, request, chosen, url), idempotencyText, names);
    }

    /// <summary>
    /// A new task with the inputs of <paramref name="source"/> (the request as it was sent, stored
    /// as <c>param</c>) and a new prompt; billed as a new task.
    /// </summary>
    public async Task<IResult> RemixAsync(HttpContext http, TaskRecord source, JsonElement prompt)
    {
        using var param = JsonDocument.Parse(source.Param);
        var root = param.RootElement;
        if (!catalog.TryGet(source.Model, out var model))
        {
            return OpenAiErrors.BadRequest($"the model of video '{source.TaskId}' ('{source.Model}') is no longer in the catalog", "model", "model_not_found");
        }

        var names = new VideoFieldNames(model);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriteOptions))
        {
            w.WriteStartObject();
            w.WriteString("model", source.Model);
            w.WriteStartObject("input");
            w.WritePropertyName(names.Prompt);
            prompt.WriteTo(w);
            if (root.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in input.EnumerateObject().Where(p => p.Name != names.Prompt))
                {
                    p.WriteTo(w);
                }
            }

            w.WriteEndObject();
            if (root.TryGetProperty("callBackUrl", out var callback))
            {
                w.WritePropertyName("callBackUrl");
                callback.WriteTo(w);
            }

            w.WriteEndObject();
        }

        return await SubmitAsync(http, Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null, names);
    }

    private async Task<IResult> SubmitAsync(HttpContext http, string body, string? idempotencyText, VideoFieldNames names)
    {
        var caller = ApiCaller.Of(http);
        // Idempotency-Key (OpenAI's SDKs send one on every POST, the same on each retry), else X-Request-ID.
        var ids = http.Request.Headers["Idempotency-Key"];
        if (ids.Count == 0)
        {
            ids = http.Request.Headers["X-Request-ID"];
        }

        using var doc = JsonDocument.Parse(body);
        var request = new CreateRequest(caller.Key, doc.RootElement, ids, $"{http.Request.Scheme}://{http.Request.Host}")
        {
            AdmittedTier = caller.Tier,
            IdempotencyText = idempotencyText,
        };
        var result = await creator.CreateAsync(request, http.RequestAborted);
        if (!result.Succeeded)
        {
            return OpenAiErrors.FromCreate(result, http, names);
        }

        var task = await tasks.GetAsync(result.TaskId!, CancellationToken.None);
        return TypedResults.Json(videos.ToVideo(task!, http.Request), OpenAiJsonContext.Default.VideoData);
    }

    /// <summary>The createTask body: the model id as sent, and the input fields the OpenAI request sets.</summary>
    private static string Body(string modelId, VideoFieldNames names, VideoCreateRequest request, (string Resolution, string Ratio)? size, string? firstFrame)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriteOptions))
        {
            w.WriteStartObject();
            w.WriteString("model", modelId);
            w.WriteStartObject("input");
            if (request.Prompt is { } prompt)
            {
                w.WritePropertyName(names.Prompt);
                prompt.WriteTo(w);
            }

            if (request.Seconds is { } seconds)
            {
                w.WritePropertyName(names.Duration);
                if (seconds.ValueKind == JsonValueKind.String && Number().IsMatch(seconds.GetString()!))
                {
                    w.WriteNumberValue(decimal.Parse(seconds.GetString()!, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture));
                }
                else
                {
                    seconds.WriteTo(w); // a number as sent, or a string the catalog's rule refuses
                }
            }

            if (size is { } s)
            {
                w.WriteString(names.Resolution, s.Resolution);
                w.WriteString(names.Ratio, s.Ratio);
            }

            if (firstFrame is not null && names.FirstFrame is { } field)
            {
                if (field.Type == "urlList")
                {
                    w.WriteStartArray(field.Name);
                    w.WriteStringValue(firstFrame);
                    w.WriteEndArray();
                }
                else
                {
                    w.WriteString(field.Name, firstFrame);
                }
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static async Task<string> HashAsync(string path, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct));
    }

    [GeneratedRegex(@"^[0-9]{1,6}(\.[0-9]{1,6})?$")]
    private static partial Regex Number();

    [GeneratedRegex("^file ")]
    private static partial Regex FileWord();
}
