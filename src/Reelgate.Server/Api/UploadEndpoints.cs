using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using Reelgate.Core.Uploads;
using Reelgate.Server.OpenApi;
using Reelgate.Server.Uploads;

namespace Reelgate.Server.Api;

/// <summary>
/// File uploads, all through <see cref="UploadService"/>: <c>POST /api/v1/files</c> (multipart
/// field <c>file</c>, or JSON <c>base64Data</c> / <c>fileUrl</c>) in the jobs API's envelope, and
/// kie.ai's three upload routes in theirs. Authentication and the create-class rate limit are the
/// createTask ones (<see cref="ApiKeyFilter.Create"/>); kie.ai's routes answer its refusals in
/// kie.ai's envelope.
/// </summary>
public static class UploadEndpoints
{
    public const string KieSuccess = "File uploaded successfully";

    /// <summary>The largest body read: a 50 MiB file as base64 (4/3) in JSON, with room for the rest.</summary>
    private const long MaxBodyBytes = 72L * 1024 * 1024;

    private const int MaxFieldChars = 2048;
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 8, AllowDuplicateProperties = false };

    [Flags]
    private enum Forms
    {
        Multipart = 1,
        Base64 = 2,
        Url = 4,
    }

    public static IEndpointRouteBuilder MapUploads(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/files", (HttpContext http, UploadService uploads, RemoteMediaFetcher fetcher, TaskView view) =>
                UploadAsync(http, uploads, fetcher, view, Forms.Multipart | Forms.Base64 | Forms.Url, kie: false))
            .WithTags("Files")
            .AddEndpointFilter(ApiKeyFilter.Create)
            .Documented<UploadData>("Upload an image, video or audio file (checked by content; kept for Reelgate:UploadRetention)", 400, 401, 422, 429, 500, 503)
            .UploadBody(json: [], multipart: true);

        var kie = app.MapGroup("/api").WithTags("Files").AddEndpointFilter(KieKeyFilterAsync);
        kie.MapPost("/file-stream-upload", (HttpContext http, UploadService uploads, RemoteMediaFetcher fetcher, TaskView view) =>
                UploadAsync(http, uploads, fetcher, view, Forms.Multipart, kie: true))
            .KieDocumented("kie.ai-compatible upload: multipart file, uploadPath, fileName")
            .UploadBody(json: null, multipart: true);
        kie.MapPost("/file-base64-upload", (HttpContext http, UploadService uploads, RemoteMediaFetcher fetcher, TaskView view) =>
                UploadAsync(http, uploads, fetcher, view, Forms.Base64, kie: true))
            .KieDocumented("kie.ai-compatible upload: base64Data (plain or a data: URL), uploadPath, fileName")
            .UploadBody(json: ["base64Data"], multipart: false);
        kie.MapPost("/file-url-upload", (HttpContext http, UploadService uploads, RemoteMediaFetcher fetcher, TaskView view) =>
                UploadAsync(http, uploads, fetcher, view, Forms.Url, kie: true))
            .KieDocumented("kie.ai-compatible upload: fileUrl (fetched by the server), uploadPath, fileName")
            .UploadBody(json: ["fileUrl"], multipart: false);
        return app;
    }

    private static async Task<IResult> UploadAsync(HttpContext http, UploadService uploads, RemoteMediaFetcher fetcher, TaskView view, Forms forms, bool kie)
    {
        var caller = ApiCaller.Of(http);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        var input = await ReadInputAsync(http, uploads, fetcher, forms);
        using var file = input.File;
        if (file is null)
        {
            return Error(kie, input.ErrorCode, input.Error!);
        }

        var result = await uploads.StoreAsync(caller.Key.AccountId, file, input.FileName, view.BaseUrl(http.Request), http.RequestAborted);
        if (result.File is not { } stored)
        {
            return Error(kie, result.ErrorCode, result.Error!);
        }

        if (kie)
        {
            var data = new KieUploadData(stored.FileName, UploadNames.FilePath(input.UploadPath, stored.FileName), result.Url!, stored.Info.Size, stored.Info.MimeType, Iso(stored.CreatedAt));
            return TypedResults.Json(new KieEnvelope<KieUploadData>(true, 200, KieSuccess, data), ApiJsonContext.Web.KieEnvelopeKieUploadData, statusCode: 200);
        }

        return ApiResults.Ok(ToData(stored, result.Url!), ApiJsonContext.Web.ApiEnvelopeUploadData);
    }

    /// <summary>The answer's <c>data</c> for a stored file (REST and MCP's upload_file).</summary>
    internal static UploadData ToData(UploadedFile stored, string url)
    {
        var info = stored.Info;
        return new UploadData(stored.FileId, url, info.MimeType, info.Size, info.Width, info.Height, info.DurationSeconds, Iso(stored.ExpiresAt));
    }

    /// <summary>The file of the request, spooled, with the client's display names; or the refusal.</summary>
    private static async Task<UploadInput> ReadInputAsync(HttpContext http, UploadService uploads, RemoteMediaFetcher fetcher, Forms forms)
    {
        var request = http.Request;
        var ct = http.RequestAborted;
        if (request.HasFormContentType && request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return forms.HasFlag(Forms.Multipart) ? await ReadMultipartAsync(request, uploads, ct) : UploadInput.Refused(400, ApiResults.InvalidRequest);
        }

        if (!RequestBodyReader.HasJsonContentType(request) || (forms & (Forms.Base64 | Forms.Url)) == 0)
        {
            return UploadInput.Refused(400, ApiResults.InvalidRequest);
        }

        var body = await ReadBodyAsync(request, ct);
        if (body is null)
        {
            return UploadInput.Refused(400, ApiResults.InvalidRequest);
        }

        UploadRequest? json;
        try
        {
            using var doc = JsonDocument.Parse(body, ParseOptions);
            json = doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Deserialize(ApiJsonContext.Default.UploadRequest) : null;
        }
        catch (JsonException)
        {
            json = null;
        }

        if (json is null)
        {
            return UploadInput.Refused(400, ApiResults.InvalidRequest);
        }

        var base64 = forms.HasFlag(Forms.Base64) ? json.Base64Data : null;
        var url = forms.HasFlag(Forms.Url) ? json.FileUrl : null;
        if (base64 is { Length: > 0 } == url is { Length: > 0 })
        {
            var wanted = forms.HasFlag(Forms.Base64) && forms.HasFlag(Forms.Url) ? "exactly one of base64Data and fileUrl"
                : forms.HasFlag(Forms.Base64) ? "base64Data" : "fileUrl";
            return UploadInput.Refused(422, $"validation error: {wanted} is required");
        }

        if (base64 is { Length: > 0 })
        {
            if (Base64Payload.Decode(base64) is not { } bytes)
            {
                return UploadInput.Refused(422, "validation error: base64Data is neither base64 nor a base64 data: URL");
            }

            using var source = new MemoryStream(bytes, writable: false);
            return new UploadInput(await uploads.SpoolAsync(source, ct), json.FileName, json.UploadPath, 0, null);
        }

        var (fetched, error) = await fetcher.FetchAsync(url!, ct);
        return fetched is null
            ? UploadInput.Refused(422, "validation error: " + error)
            : new UploadInput(fetched, json.FileName ?? Path.GetFileName(new Uri(url!).AbsolutePath), json.UploadPath, 0, null);
    }

    /// <summary>
    /// Streams the multipart body: the first <c>file</c> part goes to <see cref="UploadService.SpoolAsync"/>
    /// (nothing past the size limit is read), <c>fileName</c> and <c>uploadPath</c> are short text
    /// fields, other parts are skipped.
    /// </summary>
    private static async Task<UploadInput> ReadMultipartAsync(HttpRequest request, UploadService uploads, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            return UploadInput.Refused(400, ApiResults.InvalidRequest);
        }

        SpooledFile? file = null;
        string? partName = null, fileName = null, uploadPath = null;
        try
        {
            var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 8 * 1024 };
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                switch (HeaderUtilities.RemoveQuotes(disposition.Name).Value)
                {
                    case "file" when file is null:
                        file = await uploads.SpoolAsync(section.Body, ct);
                        partName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                        if (file.TooLarge)
                        {
                            return new UploadInput(file, null, null, 0, null); // refused without reading on
                        }

                        break;
                    case "fileName":
                        fileName = await ReadFieldAsync(section.Body, ct);
                        break;
                    case "uploadPath":
                        uploadPath = await ReadFieldAsync(section.Body, ct);
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or BadHttpRequestException)
        {
            file?.Dispose();
            return UploadInput.Refused(400, ApiResults.InvalidRequest);
        }

        return file is null
            ? UploadInput.Refused(422, "validation error: file is required (multipart field file)")
            : new UploadInput(file, fileName is { Length: > 0 } ? fileName : partName, uploadPath, 0, null);
    }

    private static async Task<string> ReadFieldAsync(Stream body, CancellationToken ct)
    {
        using var reader = new StreamReader(body, System.Text.Encoding.UTF8);
        var buffer = new char[MaxFieldChars];
        var read = await reader.ReadBlockAsync(buffer, ct);
        return new string(buffer, 0, read);
    }

    /// <summary>The whole JSON body up to <see cref="MaxBodyBytes"/>, or null when larger or broken off.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var copy = new MemoryStream();
        var buffer = new byte[81920];
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
            {
                if (copy.Length + read > MaxBodyBytes)
                {
                    return null;
                }

                copy.Write(buffer, 0, read);
            }
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException)
        {
            return null;
        }

        return copy.ToArray();
    }

    /// <summary>kie.ai's routes answer the key filter's refusals (401, 429, 503) in kie.ai's envelope too.</summary>
    private static async ValueTask<object?> KieKeyFilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        await ApiKeyFilter.Create.InvokeAsync(context, next) switch
        {
            JsonHttpResult<ApiEnvelope<object>> { StatusCode: { } code } refused => Error(true, code, refused.Value!.Msg),
            JsonHttpResult<ApiEnvelope<RateLimitData>> { StatusCode: { } code } limited => Error(true, code, limited.Value!.Msg),
            var other => other,
        };

    private static IResult Error(bool kie, int code, string msg) => kie
        ? TypedResults.Json(new KieError(false, code, msg), ApiJsonContext.Web.KieError, statusCode: code)
        : ApiResults.Error(code, msg);

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static RouteHandlerBuilder KieDocumented(this RouteHandlerBuilder builder, string summary)
    {
        builder.WithSummary(summary).Produces<KieEnvelope<KieUploadData>>(200, "application/json");
        foreach (var code in new[] { 400, 401, 422, 429, 500, 503 })
        {
            builder.Produces<KieError>(code, "application/json");
        }

        return builder;
    }

    /// <summary>
    /// The request body the handler reads itself: JSON (<see cref="UploadRequest"/>'s fields, the
    /// names in <paramref name="json"/> required; null: no JSON form) and/or multipart/form-data
    /// (file, fileName, uploadPath). Written as schemas rather than <c>Accepts</c> metadata, which
    /// would make routing refuse the other content type with 415 before the key is checked.
    /// </summary>
    private static RouteHandlerBuilder UploadBody(this RouteHandlerBuilder builder, string[]? json, bool multipart) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var content = new Dictionary<string, OpenApiMediaType>();
            if (json is not null)
            {
                content["application/json"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = json.Length == 0 ? null : new HashSet<string>(json),
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["base64Data"] = Text("The file as base64, or a data: URL (data:image/png;base64,...); its declared type is ignored."),
                            ["fileUrl"] = Text("An http(s) URL the server fetches (30 s, public addresses only, redirects checked)."),
                            ["fileName"] = Text("A display name."),
                            ["uploadPath"] = Text("A display path (kie.ai's filePath = uploadPath/fileName)."),
                        },
                    },
                };
            }

            if (multipart)
            {
                content["multipart/form-data"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "file" },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "The file; checked by content, never by its name." },
                            ["fileName"] = Text("A display name (default: the part's file name)."),
                            ["uploadPath"] = Text("A display path (kie.ai's filePath = uploadPath/fileName)."),
                        },
                    },
                };
            }

            operation.RequestBody = new OpenApiRequestBody { Required = true, Content = content };
            return Task.CompletedTask;
        });

    private static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };

    /// <summary>A request's file and display names, or its refusal.</summary>
    private sealed record UploadInput(SpooledFile? File, string? FileName, string? UploadPath, int ErrorCode, string? Error)
    {
        public static UploadInput Refused(int code, string error) => new(null, null, null, code, error);
    }
}
