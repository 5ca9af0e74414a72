using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Reelgate.Core.Catalog;

namespace Reelgate.Server.OpenApi;

/// <summary>
/// Writes what the route metadata cannot know into the OpenAPI document: the createTask body
/// schema generated from the model catalog (so it cannot drift from validation), the seed's
/// request example, and the error envelope's meaning.
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
                "422 model is not supported / validation error: ..., 429 rate limit exceeded (data: retryAfter, limit, tier, windowSeconds), 500 server error, " +
                "503 rate limiter unavailable (with Retry-After). Result files under /files answer 403 forbidden and 404 file not found in the same envelope.",
        };
        // The quote takes createTask's body, word for word: the same schema for both.
        foreach (var (route, description) in new[]
        {
            ("/api/v1/jobs/createTask", "model, input (the model's fields, below) and an optional callBackUrl."),
            ("/api/v1/jobs/quote", "A createTask body (model, input, optional callBackUrl): priced, not created."),
        })
        {
            if (document.Paths.TryGetValue(route, out var path) && path.Operations?.TryGetValue(HttpMethod.Post, out var operation) == true)
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = description,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new OpenApiMediaType { Schema = CreateTaskSchema(), Example = JsonNode.Parse(SeedExample) },
                    },
                };
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>One body schema per model (oneOf, told apart by <c>model</c>), each with an example.</summary>
    private OpenApiSchema CreateTaskSchema() => new()
    {
        Description = "One of the catalog's models: model (its id or an alias), its input, and an optional callBackUrl.",
        OneOf = [.. catalog.Models.Select(ModelBodySchema)],
    };

    private static OpenApiSchema ModelBodySchema(ModelDefinition model)
    {
        var input = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = $"Input of {model.Id}; unknown fields are accepted and kept in param.",
            Properties = new Dictionary<string, IOpenApiSchema>(),
            Required = new HashSet<string>(model.Input.Where(f => f.Required).Select(f => f.Name)),
        };
        foreach (var field in model.Input)
        {
            if (field.AliasOf is { } target)
            {
                // An alias is read only when its field is absent or null, and then checked by its own
                // rules; beside the field it is ignored, whatever it holds (InputValidator.Find).
                input.Properties[field.Name] = new OpenApiSchema { Description = $"{field.Description} Checked (allOf below) only when {target} is absent or null; otherwise ignored, whatever it holds." };
                input.AllOf ??= [];
                input.AllOf.Add(new OpenApiSchema
                {
                    AnyOf =
                    [
                        new OpenApiSchema
                        {
                            Required = new HashSet<string> { target },
                            Properties = new Dictionary<string, IOpenApiSchema> { [target] = new OpenApiSchema { Not = new OpenApiSchema { Type = JsonSchemaType.Null } } },
                        },
                        new OpenApiSchema { Properties = new Dictionary<string, IOpenApiSchema> { [field.Name] = FieldSchema(field) } },
                    ],
                });
            }
            else
            {
                input.Properties[field.Name] = FieldSchema(field);
            }
        }

        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Title = model.Id,
            Description = model.Description,
            Required = new HashSet<string> { "model", "input" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["model"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. model.Aliases.Prepend(model.Id).Select(id => (JsonNode)JsonValue.Create(id))] },
                ["input"] = input,
                ["callBackUrl"] = new OpenApiSchema
                {
                    // null is read as absent (CreateTaskEndpoint), so the document must accept it too.
                    Type = JsonSchemaType.String | JsonSchemaType.Null,
                    Format = "uri",
                    MaxLength = 2048,
                    Description = "An absolute http(s) URL: signed POST of the recordInfo data when the task ends. null: no callback.",
                },
            },
            Examples = [Example(model)],
        };
    }

    /// <summary>A request for the model: the seed's example for text-to-video; otherwise the prompt and the first value of each media role.</summary>
    public static JsonNode Example(ModelDefinition model)
    {
        if (model.Input.All(f => !f.IsMedia) && JsonNode.Parse(SeedExample) is { } seed && (string?)seed["model"] == model.Id)
        {
            return seed;
        }

        var input = new JsonObject();
        if (model.Input.FirstOrDefault(f => f.Name == model.Output.PromptField) is not null)
        {
            input[model.Output.PromptField] = "A slow push-in on the scene as soft morning light moves across it";
        }

        var roles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in model.Input.Where(f => f.IsMedia && f.AliasOf is null))
        {
            var role = field.RoleAt(0);
            if ((field.Required || roles.Count == 0) && roles.Add(role))
            {
                var url = "https://example.com/" + role.Replace('_', '-') + (Core.Media.MediaRoles.KindOf(role) switch { Core.Media.MediaKind.Video => ".mp4", Core.Media.MediaKind.Audio => ".mp3", _ => ".png" });
                input[field.Name] = field.Type == "urlList" ? new JsonArray(url) : url;
            }
        }

        input[model.Output.ResolutionField] = "720p";
        input[model.Output.DurationField] = 5;
        return new JsonObject { ["model"] = model.Id, ["input"] = input };
    }

    private static OpenApiSchema FieldSchema(InputField f)
    {
        var schema = new OpenApiSchema { Description = f.Description };
        switch (f.Type)
        {
            case "string":
                // Lengths count code points after trimming, which JSON Schema cannot say: the limits
                // are in x-trimmed-length (and the description); "not blank" is the pattern.
                schema.Type = JsonSchemaType.String;
                schema.Pattern = f.MinLength > 0 ? "\\S" : null;
                schema.Extensions = new Dictionary<string, IOpenApiExtension>
                {
                    ["x-trimmed-length"] = new JsonNodeExtension(new JsonObject { ["minLength"] = f.MinLength, ["maxLength"] = f.MaxLength }),
                };
                break;
            case "enum":
                schema.Type = JsonSchemaType.String;
                schema.Enum = (f.Values ?? []).Select(v => (JsonNode)JsonValue.Create(v)).ToList();
                break;
            case "boolean":
                schema.Type = JsonSchemaType.Boolean;
                break;
            case "url":
                schema.Type = JsonSchemaType.String;
                schema.Format = "uri";
                break;
            case "urlList":
                schema.Type = JsonSchemaType.Array;
                schema.Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri" };
                schema.MinItems = f.Required ? Math.Max(1, f.MinItems ?? 1) : f.MinItems;
                schema.MaxItems = f.MaxItems;
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

        if (!f.Required)
        {
            // null for an optional field means absent (the default applies).
            schema.Type |= JsonSchemaType.Null;
            schema.Enum?.Add(null!);
        }

        return schema;
    }
}
