using Reelgate.Core.Catalog;
using Reelgate.Server.OpenApi;

namespace Reelgate.Server.Api;

/// <summary><c>GET /api/v1/models</c>: the catalog as data (input rules, sizes, prices), generated from the catalog file.</summary>
public static class ModelsEndpoints
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/models", (ModelCatalog catalog) =>
        {
            IReadOnlyList<ModelData> models = catalog.Models.Select(ToData).ToList();
            return ApiResults.Ok(models, ApiJsonContext.Web.ApiEnvelopeIReadOnlyListModelData);
        }).WithTags("Catalog").AddEndpointFilter(ApiKeyFilter.Read).Documented<IReadOnlyList<ModelData>>("The model catalog: input rules, sizes, prices", 401, 429, 500, 503);
        return app;
    }

    internal static ModelData ToData(ModelDefinition m) => new(
        m.Id,
        m.Description,
        m.Fps,
        m.Input.Select(f => new ModelInputData(f.Name, f.Type, f.Required, f.Default, f.Values, f.Min, f.Max, f.MinLength, f.MaxLength, f.AliasOf, f.Description, f.MinItems, f.MaxItems, f.Roles)).ToList(),
        m.Output.Sizes,
        // The price reads the spec, so its fields are output's (one catalog field per fact); the
        // names stay in the answer so clients reading them keep working.
        new ModelPricingData(m.Output.ResolutionField, m.Pricing.RatesPerSecond, m.Output.DurationField, m.Output.AudioField, m.Pricing.AudioMultiplier));
}
