using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Reelgate.Core.Catalog;

namespace Reelgate.Server.OpenApi;

/// <summary>
/// Writes what the route metadata cannot know into the OpenAPI document: the createTask body
/// schema generated from the model catalog (so it cannot drift from validation), the seed's
/// request example, the bearer security scheme, and the error envelope's meaning.
/// </summary>
public sealed class CatalogDocumentTransformer(ModelCatalog catalog) : IOpenApiDocumentTransformer
{
    public const string SeedExample = """
        {"model":"seedance-2.0-text-to-video","input":{"prompt":"A slow dolly shot through a futuristic botanical lab with soft volumetric light","ratio":"16:9","resolution":"720p","duration":5,"generate_audio":false,"nsfw_checker":false}}
        """;

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Reelgate jobs API",
            Version = "v1",
            Description = "createTask / recordInfo video generation. Every /api/v1 and /api/admin response is the envelope " +
                "{\"code\":N,\"msg\":\"...\",\"data\":...} with HTTP status = code. Errors: 400 invalid request, 401 authentication failed, " +
                "402 insufficient credits, 404 task not found, 409 active task limit exceeded / request conflict / task already finished, " +
                "422 model is not supported / validation error: ..., 429 rate limit exceeded (data: retryAfter, limit, tier, windowSeconds), 500 server error.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key (sk-...) for /api/v1; the admin key for /api/admin.",
        };

        if (document.Paths.TryGetValue("/api/v1/jobs/createTask", out var path) && path.Operations?.TryGetValue(HttpMethod.Post, out var create) == true)
        {
            create.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = "model, input (the model's fields, below) and an optional callBackUrl.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new OpenApiMediaType { Schema = CreateTaskSchema(), Example = JsonNode.Parse(SeedExample) },
                },
            };
        }

        return Task.CompletedTask;
    }

    private OpenApiSchema CreateTaskSchema()
    {
        var model = catalog.Models.First();
        var input = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = $"Input of {model.Id}; unknown fields are accepted and kept in param.",
            Properties = new Dictionary<string, IOpenApiSchema>(),
            Required = new HashSet<string>(model.Input.Where(f => f.Required).Select(f => f.Name)),
        };
        foreach (var field in model.Input)
        {
            input.Properties[field.Name] = FieldSchema(field);
        }

        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "model", "input" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["model"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = catalog.Models.Select(m => (JsonNode)JsonValue.Create(m.Id)).ToList() },
                ["input"] = input,
                ["callBackUrl"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri", MaxLength = 2048, Description = "Signed POST of the recordInfo data when the task ends." },
            },
        };
    }

    private static OpenApiSchema FieldSchema(InputField f)
    {
        var schema = new OpenApiSchema { Description = f.Description };
        switch (f.Type)
        {
            case "string":
                schema.Type = JsonSchemaType.String;
                schema.MinLength = f.MinLength;
                schema.MaxLength = f.MaxLength;
                break;
            case "enum":
                schema.Type = JsonSchemaType.String;
                schema.Enum = (f.Values ?? []).Select(v => (JsonNode)JsonValue.Create(v)).ToList();
                break;
            case "boolean":
                schema.Type = JsonSchemaType.Boolean;
                break;
            default:
                schema.Type = JsonSchemaType.Integer;
                schema.Minimum = f.Min?.ToString(System.Globalization.CultureInfo.InvariantCulture);
                schema.Maximum = f.Max?.ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
        }

        if (f.Default is { } d)
        {
            schema.Default = JsonNode.Parse(d.GetRawText());
        }

        return schema;
    }
}
