using Microsoft.Extensions.Options;
using Reelgate.Server.Options;
using Reelgate.Server.Workers;

namespace Reelgate.Server.Api;

/// <summary><c>GET /healthz</c>: 200 once the server serves requests; engine readiness as details.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (EngineRegistry engines, IOptions<ReelgateOptions> options) =>
        {
            var details = engines.All.ToDictionary(e => e.Name, e =>
            {
                var h = e.CheckHealth();
                return new EngineHealthData(h.Available, h.Detail);
            });
            return TypedResults.Json(new HealthData("ok", "ok", options.Value.EffectiveWorkers, details), ApiJsonContext.Web.HealthData);
        });
        return app;
    }
}
