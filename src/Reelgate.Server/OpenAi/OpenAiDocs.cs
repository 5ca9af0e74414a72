using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Reelgate.Server.OpenApi;

namespace Reelgate.Server.OpenAi;

/// <summary>
/// Route metadata of the <c>/v1</c> operations for the OpenAPI document: OpenAI's shapes for the
/// success and every error status, <c>Retry-After</c> on 429 and 503, the request bodies the
/// handlers read themselves (JSON or multipart; written as schemas, not <c>Accepts</c>, which would
/// make routing refuse the other content type with 415 before the key is checked).
/// </summary>
internal static class OpenAiDocs
{
    public static RouteHandlerBuilder OpenAiDocumented<T>(this RouteHandlerBuilder builder, string summary, params int[] errors)
    {
        builder.WithSummary(summary).Produces<T>(200, "application/json");
        foreach (var code in errors)
        {
            builder.Produces<OpenAiErrorBody>(code, "application/json");
        }

        return builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            foreach (var code in new[] { "429", "503" })
            {
                if (operation.Responses?.TryGetValue(code, out var response) == true && response is OpenApiResponse r)
                {
                    r.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    r.Headers["Retry-After"] = new OpenApiHeader { Description = "Seconds until a retry can succeed (rate limits).", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } };
                    r.Headers["x-should-retry"] = new OpenApiHeader { Description = "false when a retry cannot help (insufficient_quota, active_task_limit_exceeded); OpenAI's SDKs obey it.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
                }
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>The content download: the file's bytes (200, 206 for a range), 304, 416, and OpenAI errors.</summary>
    public static RouteHandlerBuilder OpenAiContent(this RouteHandlerBuilder builder, string summary)
    {
        builder.WithSummary(summary);
        foreach (var code in new[] { 400, 401, 404, 429, 500, 503 })
        {
            builder.Produces<OpenAiErrorBody>(code, "application/json");
        }

        return builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            OpenApiResponse Binary(string description) => new()
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["video/mp4"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                    ["image/jpeg"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                },
            };
            operation.Responses ??= [];
            operation.Responses["200"] = Binary("The MP4 (variant=video), or a JPEG (thumbnail, spritesheet); ETag, Last-Modified, Accept-Ranges.");
            operation.Responses["206"] = Binary("The requested byte range.");
            operation.Responses["302"] = new OpenApiResponse { Description = "An object store in redirect mode: a short-lived presigned URL." };
            operation.Responses["304"] = new OpenApiResponse { Description = "Not modified (If-None-Match / If-Modified-Since)." };
            operation.Responses["412"] = new OpenApiResponse { Description = "If-Match / If-Unmodified-Since failed." };
            operation.Responses["416"] = new OpenApiResponse { Description = "The range cannot be satisfied." };
            return Task.CompletedTask;
        });
    }

    /// <summary>The mapping onto the catalog and what is not supported, as docs/openai-compatible.md says it.</summary>
    public const string CreateDescription =
        "OpenAI's Videos API over Reelgate's tasks: the video id is the task id (also visible through recordInfo). " +
        "Mapping onto the catalog model: prompt -> the model's prompt field; seconds -> its duration field (the catalog's rule); " +
        "size WIDTHxHEIGHT -> the resolution and ratio whose catalog size it is (one of the model's sizes, else 400 param size); " +
        "input_reference (a file, an image URL, {image_url} or {file_id}) -> the first URL of the model's first-frame field " +
        "(a model without one: 400 param input_reference). Other inputs take the model's defaults; the price is the model's. " +
        "Not supported: parameters other than prompt, model, seconds, size and input_reference (400 unknown_parameter); " +
        "video or audio references (400 param input_reference); callbacks (use the jobs API's callBackUrl). " +
        "Insufficient credits is 429 insufficient_quota with x-should-retry: false (OpenAI's own answer; the SDKs have no 402 class).";

    public static RouteHandlerBuilder IdempotencyHeader(this RouteHandlerBuilder builder) =>
        builder.HeaderParameter("Idempotency-Key", "The same key and body return the first video (no new charge), also when the requests race; another body: 409. X-Request-ID is read when it is absent. 1 to 128 printable ASCII characters.", () => new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            MinLength = 1,
            MaxLength = 128,
            Pattern = "^[\\x21-\\x7E]+$",
        });

    public static Task CreateBody(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var reference = new OpenApiSchema
        {
            Description = "The first frame: an image URL (http(s), a base64 data: URL, or an uploaded file's URL), or an object with image_url or file_id (a file_... id of POST /api/v1/files).",
            AnyOf =
            [
                new OpenApiSchema { Type = JsonSchemaType.String },
                new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    AdditionalPropertiesAllowed = false,
                    Properties = new Dictionary<string, IOpenApiSchema>
                    {
                        ["image_url"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        ["file_id"] = new OpenApiSchema { Type = JsonSchemaType.String },
                    },
                },
                new OpenApiSchema { Type = JsonSchemaType.Null },
            ],
        };
        OpenApiSchema Body(bool multipart) => new()
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "prompt" },
            AdditionalPropertiesAllowed = multipart,
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["prompt"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The model's prompt field; its length rule is the catalog's." },
                ["model"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "Any catalog model id or alias (GET /api/v1/models). Default: Reelgate:OpenAi:DefaultModel, or DefaultImageModel with an input_reference." },
                ["seconds"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Integer | JsonSchemaType.Null, Description = "The model's duration field, as a string (\"8\") or a number; its rule is the catalog's (whole seconds, 4 to 15 by default)." },
                ["size"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "WIDTHxHEIGHT, one of the model's catalog sizes; it picks resolution and ratio. Default 1280x720 (Reelgate:OpenAi:DefaultSize) when the model has it.", Pattern = "^[0-9]+x[0-9]+$" },
                ["input_reference"] = multipart
                    ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "The first frame as a file (JPEG, PNG or WebP; checked by content), or input_reference[image_url] / input_reference[file_id] text parts." }
                    : reference,
            },
        };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = Body(multipart: false) },
                ["multipart/form-data"] = new() { Schema = Body(multipart: true) },
            },
        };
        return Task.CompletedTask;
    }

    public static Task RemixBody(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { "prompt" },
                        AdditionalPropertiesAllowed = false,
                        Properties = new Dictionary<string, IOpenApiSchema> { ["prompt"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The new prompt; the other inputs are the source video's." } },
                    },
                },
            },
        };
        return Task.CompletedTask;
    }
}
