using Microsoft.Extensions.Options;
using Reelgate.Server.Observability;
using Reelgate.Server.Options;
using Reelgate.Server.Workers;

namespace Reelgate.Server.Api;

/// <summary>
/// <c>GET /healthz</c>: 200 once the server serves requests (liveness); engine readiness as
/// details. <c>GET /readyz</c>: 200 when the database, an engine and the result store all work,
/// 503 naming the failed check otherwise (readiness: take the node out of the load balancer).
/// </summary>
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
        }).WithSummary("Liveness: 200 while the server serves requests, with engine details (no auth)").WithTags("Health")
            .Produces<HealthData>(200, "application/json");
        app.MapGet("/readyz", async (HttpContext http, ReadinessChecks checks) =>
        {
            var result = await checks.RunAsync(http.RequestAborted);
            http.Response.Headers.CacheControl = "no-store";
            return TypedResults.Json(result, ApiJsonContext.Web.ReadinessData, statusCode: result.Status == "ready" ? 200 : 503);
        }).WithSummary("Readiness: 200 when the database, an engine and the result store work, else 503 naming the failed check (no auth)").WithTags("Health")
            .Produces<ReadinessData>(200, "application/json")
            .Produces<ReadinessData>(503, "application/json");
        return app;
    }
}
