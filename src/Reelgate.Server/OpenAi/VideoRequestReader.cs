using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Reelgate.Server.Api;
using Reelgate.Server.Uploads;

namespace Reelgate.Server.OpenAi;

/// <summary>
/// Reads <c>POST /v1/videos</c>: JSON (1 MiB, UTF-8, no duplicate keys, as every JSON body here)
/// or multipart/form-data, which the OpenAI SDKs always send for a create (the
/// <c>input_reference</c> file part is spooled through <see cref="UploadService.SpoolAsync"/>, so
/// nothing past the upload limit is read). Unknown parameters are refused as OpenAI refuses them.
/// </summary>
public static class VideoRequestReader
{
    /// <summary>The largest multipart body: an image of the largest accepted size, with room for the text fields.</summary>
    private const long MaxMultipartBytes = Core.Media.MediaLimits.MaxImageBytes + (1L << 20);

    private const int MaxTextFieldBytes = 256 * 1024;

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 16, AllowDuplicateProperties = false };

    public static async Task<(VideoCreateRequest? Request, IResult? Error)> ReadAsync(HttpContext http, UploadService uploads)
    {
        var request = http.Request;
        if (request.HasFormContentType && request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return await ReadMultipartAsync(http, uploads);
        }

        if (!RequestBodyReader.HasJsonContentType(request))
        {
            return Refused("the body must be JSON (application/json) or multipart/form-data", null);
        }

        var bytes = await RequestBodyReader.ReadAsync(request, http.RequestAborted);
        if (bytes is null)
        {
            return Refused("the body is not valid UTF-8 JSON of at most 1 MiB", null);
        }

        try
        {
            using var doc = JsonDocument.Parse(bytes, ParseOptions);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Refused("the body must be a JSON object", null);
            }

            var video = new VideoCreateRequest();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Null)
                {
                    continue; // null is absent: the default applies
                }

                var problem = p.Name switch
                {
                    "prompt" => Set(() => video.Prompt = p.Value.Clone()),
                    "model" => p.Value.ValueKind == JsonValueKind.String ? Set(() => video.Model = p.Value.GetString()) : "model must be a string",
                    "seconds" => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number ? Set(() => video.Seconds = p.Value.Clone()) : "seconds must be a string or a number",
                    "size" => p.Value.ValueKind == JsonValueKind.String ? Set(() => video.Size = p.Value.GetString()) : "size must be a string such as \"1280x720\"",
                    "input_reference" => ReadReference(p.Value, video),
                    _ => $"Unknown parameter: '{p.Name}'.",
                };
                if (problem is not null)
                {
                    return Refused(problem, p.Name.StartsWith("input_reference", StringComparison.Ordinal) ? "input_reference" : p.Name, p.Name is "prompt" or "model" or "seconds" or "size" or "input_reference" ? "invalid_type" : "unknown_parameter");
                }
            }

            return (video, null);
        }
        catch (JsonException)
        {
            return Refused("the body is not valid JSON", null);
        }
    }

    private static string? ReadReference(JsonElement value, VideoCreateRequest video)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            video.ImageUrl = value.GetString();
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return "input_reference must be an image URL, {\"image_url\": ...}, {\"file_id\": ...} or a file";
        }

        foreach (var p in value.EnumerateObject())
        {
            switch (p.Name)
            {
                case "image_url" when p.Value.ValueKind == JsonValueKind.String:
                    video.ImageUrl = p.Value.GetString();
                    break;
                case "file_id" when p.Value.ValueKind == JsonValueKind.String:
                    video.FileId = p.Value.GetString();
                    break;
                default:
                    return "input_reference takes image_url or file_id, as a string";
            }
        }

        return video.ImageUrl is not null == video.FileId is not null ? "input_reference takes exactly one of image_url and file_id" : null;
    }

    private static async Task<(VideoCreateRequest?, IResult?)> ReadMultipartAsync(HttpContext http, UploadService uploads)
    {
        var request = http.Request;
        var ct = http.RequestAborted;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxMultipartBytes;
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            return Refused("multipart/form-data without a usable boundary", null);
        }

        var video = new VideoCreateRequest();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 8 * 1024 };
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                var param = name.StartsWith("input_reference", StringComparison.Ordinal) ? "input_reference" : name;
                if (!seen.Add(param))
                {
                    video.Dispose();
                    return Refused($"{param} is given more than once", param);
                }

                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                if (name == "input_reference" && fileName is not null)
                {
                    video.File = await uploads.SpoolAsync(section.Body, ct);
                    video.FileName = fileName;
                    if (video.File.TooLarge)
                    {
                        video.Dispose();
                        return Refused($"input_reference is larger than {Core.Media.MediaLimits.MaxImageBytes / (1024 * 1024)} MiB", "input_reference");
                    }

                    continue;
                }

                if (await ReadTextAsync(section.Body, ct) is not { } text)
                {
                    video.Dispose();
                    return Refused($"{param} is not UTF-8 text of at most {MaxTextFieldBytes / 1024} KiB", param);
                }

                switch (name)
                {
                    case "prompt": video.Prompt = JsonSerializer.SerializeToElement(text, OpenAiJsonContext.Default.String); break;
                    case "model": video.Model = text; break;
                    case "seconds": video.Seconds = JsonSerializer.SerializeToElement(text, OpenAiJsonContext.Default.String); break;
                    case "size": video.Size = text; break;
                    case "input_reference" or "input_reference[image_url]": video.ImageUrl = text; break;
                    case "input_reference[file_id]": video.FileId = text; break;
                    default:
                        video.Dispose();
                        return Refused($"Unknown parameter: '{name}'.", name, "unknown_parameter");
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or BadHttpRequestException)
        {
            video.Dispose();
            return Refused("the multipart body could not be read", null);
        }

        return (video, null);
    }

    /// <summary>A text part as UTF-8, or null when it is larger than the limit or not UTF-8.</summary>
    private static async Task<string?> ReadTextAsync(Stream body, CancellationToken ct)
    {
        using var copy = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            if (copy.Length + read > MaxTextFieldBytes)
            {
                return null;
            }

            copy.Write(buffer, 0, read);
        }

        var bytes = copy.GetBuffer().AsSpan(0, (int)copy.Length);
        return System.Text.Unicode.Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : null;
    }

    private static string? Set(Action set)
    {
        set();
        return null;
    }

    private static (VideoCreateRequest?, IResult?) Refused(string message, string? param, string code = "invalid_request") =>
        (null, OpenAiErrors.BadRequest(message, param, code));
}
