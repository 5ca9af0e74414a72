using System.Text.Json.Serialization;

namespace Reelgate.Server.OpenApi;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c>: the generator plus what only Reelgate knows.</summary>
public static class OpenApiSetup
{
    public static IServiceCollection AddReelgateOpenApi(this IServiceCollection services)
    {
        // The generator writes schemas from the HTTP JSON options. Their web defaults read numbers
        // from strings too, which the API never does (ApiJsonContext, strict): without this every
        // integer would be documented as "integer or numeric string".
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<CatalogDocumentTransformer>();
            o.AddDocumentTransformer<SecurityDocumentTransformer>();
            o.AddDocumentTransformer<ResultFilesDocumentTransformer>();
            o.AddSchemaTransformer<HandlerRulesSchemaTransformer>();
        });
        return services;
    }
}
