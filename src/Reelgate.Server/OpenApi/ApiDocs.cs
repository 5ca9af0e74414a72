using Microsoft.OpenApi;

namespace Reelgate.Server.OpenApi;

/// <summary>
/// Route metadata for the OpenAPI document, written beside each route: the success envelope,
/// every error code the call can answer, the query parameters and JSON body the handler reads.
/// The handlers read query values and bodies themselves (to refuse duplicates and bad JSON with
/// the envelope), so the framework cannot infer them: each is declared here or it is missing.
/// </summary>
internal static class ApiDocs
{
    public static RouteHandlerBuilder Documented<T>(this RouteHandlerBuilder builder, string summary, params int[] errors)
    {
        builder.WithSummary(summary).Produces<Api.ApiEnvelope<T>>(200, "application/json");
        foreach (var code in errors)
        {
            if (code == 429)
            {
                builder.Produces<Api.ApiEnvelope<Api.RateLimitData>>(429, "application/json");
            }
            else
            {
                builder.Produces<Api.ApiEnvelope<object>>(code, "application/json");
            }
        }

        if (errors.Contains(429) || errors.Contains(503))
        {
            builder.AddOpenApiOperationTransformer((operation, _, _) =>
            {
                foreach (var code in new[] { "429", "503" })
                {
                    if (operation.Responses?.TryGetValue(code, out var response) == true && response is OpenApiResponse r)
                    {
                        r.Headers ??= new Dictionary<string, IOpenApiHeader>();
                        r.Headers["Retry-After"] = new OpenApiHeader
                        {
                            Description = "Seconds until a retry can succeed.",
                            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                        };
                    }
                }

                return Task.CompletedTask;
            });
        }

        return builder;
    }

    /// <summary>A JSON request body of type <typeparamref name="T"/> (what the handler deserializes).</summary>
    public static RouteHandlerBuilder JsonBody<T>(this RouteHandlerBuilder builder, bool optional = false)
        where T : notnull => builder.Accepts<T>(optional, "application/json");

    /// <summary>A query parameter the handler reads from <c>Request.Query</c> itself.</summary>
    public static RouteHandlerBuilder QueryParameter(this RouteHandlerBuilder builder, string name, bool required, string description, Func<OpenApiSchema> schema) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Query,
                Required = required,
                Description = description,
                Schema = schema(),
            });
            return Task.CompletedTask;
        });

    /// <summary>A request header the handler reads itself.</summary>
    public static RouteHandlerBuilder HeaderParameter(this RouteHandlerBuilder builder, string name, string description, Func<OpenApiSchema> schema) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter { Name = name, In = ParameterLocation.Header, Description = description, Schema = schema() });
            return Task.CompletedTask;
        });

    /// <summary>A string query parameter.</summary>
    public static RouteHandlerBuilder QueryParameter(this RouteHandlerBuilder builder, string name, bool required, string description) =>
        builder.QueryParameter(name, required, description, () => new OpenApiSchema { Type = JsonSchemaType.String });
}
