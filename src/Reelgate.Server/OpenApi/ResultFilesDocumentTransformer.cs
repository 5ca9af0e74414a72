using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Reelgate.Server.OpenApi;

/// <summary>
/// Documents the result files (<see cref="Api.FileEndpoints"/>). The route is a catch-all
/// (<c>/files/{**key}</c>), which OpenAPI cannot express, so the generated <c>/files/{key}</c>
/// is replaced by the shape every result URL has: <c>/files/{taskId}/{file}?expires=&amp;sig=</c>
/// (the store's key pattern, <c>ResultKeys</c>), with what the handler really answers.
/// </summary>
public sealed class ResultFilesDocumentTransformer : IOpenApiDocumentTransformer
{
    public const string Path = "/files/{taskId}/{file}";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Paths.Remove("/files/{key}");
        document.Paths[Path] = new OpenApiPathItem
        {
            Parameters =
            [
                PathParameter("taskId", "^task_[A-Za-z0-9]{1,64}$", "The task the file belongs to."),
                PathParameter("file", "^[a-z0-9-]{1,32}\\.(mp4|jpg|png|webp|mov|mp3|wav|m4a)$", "video.mp4 (the video), thumb.jpg (its poster), lastframe.png (its last frame, resultJson's lastFrameUrl) or input-{n}.{ext} (a checked media input, signed for upstream engines)."),
                QueryParameter("expires", JsonSchemaType.Integer, "Unix seconds after which the URL is refused (403)."),
                QueryParameter("sig", JsonSchemaType.String, "The URL's signature (HMAC of key and expires); tampered: 403."),
            ],
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = Operation(document, "A result file from a signed URL (no Authorization header)"),
                [HttpMethod.Head] = Operation(document, "A result file's headers from a signed URL"),
            },
        };
        return Task.CompletedTask;
    }

    private static OpenApiOperation Operation(OpenApiDocument document, string summary) => new()
    {
        Summary = summary,
        Parameters =
        [
            HeaderParameter("Range", "One byte range (bytes=start-end): 206 with that part."),
            HeaderParameter("If-None-Match", "The ETag already held: 304 when unchanged."),
            HeaderParameter("If-Modified-Since", "304 when not modified since."),
        ],
        Responses = new OpenApiResponses
        {
            ["200"] = FileResponse("The file: Content-Type from its extension, ETag, Last-Modified, Accept-Ranges: bytes, Cache-Control private."),
            ["206"] = FileResponse("The requested byte range, with Content-Range."),
            ["302"] = new OpenApiResponse { Description = "An object store with Reelgate:S3:Serve=redirect: Location is a presigned URL valid 5 minutes (Cache-Control: no-store)." },
            ["304"] = new OpenApiResponse { Description = "Not modified (If-None-Match / If-Modified-Since)." },
            ["403"] = Envelope(document, "forbidden: a missing, bad or expired signature."),
            ["404"] = Envelope(document, "file not found: no such file, a key outside the store's pattern, or removed by retention."),
            ["412"] = Envelope(document, "request failed: If-Match / If-Unmodified-Since did not hold."),
            ["416"] = new OpenApiResponse { Description = "The Range lies outside the file: Content-Range bytes */length, empty body." },
            ["500"] = Envelope(document, "server error."),
            ["503"] = Envelope(document, "the result store is unreachable; try again shortly."),
        },
    };

    private static OpenApiResponse FileResponse(string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["video/mp4"] = new OpenApiMediaType(),
            ["image/jpeg"] = new OpenApiMediaType(),

            // Inputs, last frames and uploads (file_{id}/source.{ext}) are served the same way, in every accepted format.
            ["image/png"] = new OpenApiMediaType(),
            ["image/webp"] = new OpenApiMediaType(),
            ["video/quicktime"] = new OpenApiMediaType(),
            ["audio/mpeg"] = new OpenApiMediaType(),
            ["audio/wav"] = new OpenApiMediaType(),
            ["audio/mp4"] = new OpenApiMediaType(),
        },
    };

    private static OpenApiResponse Envelope(OpenApiDocument document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference("ApiEnvelopeOfObject", document) },
        },
    };

    private static OpenApiParameter PathParameter(string name, string pattern, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Path,
        Required = true,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = pattern },
    };

    private static OpenApiParameter QueryParameter(string name, JsonSchemaType type, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Required = true,
        Description = description,
        Schema = new OpenApiSchema { Type = type },
    };

    private static OpenApiParameter HeaderParameter(string name, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Header,
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
    };
}
