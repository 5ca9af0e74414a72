namespace Reelgate.Server.OpenApi;

/// <summary>Route metadata for the OpenAPI document: the success envelope and every error code a call can answer.</summary>
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

        return builder;
    }
}
