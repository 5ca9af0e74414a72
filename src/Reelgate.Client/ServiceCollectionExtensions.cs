using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Reelgate.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="ReelgateClient"/> with <c>IHttpClientFactory</c>.</summary>
public static class ReelgateClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds a typed <see cref="ReelgateClient"/> (an <c>IHttpClientFactory</c> client) with the
    /// Reelgate retry rules (<see cref="ReelgateResilience"/>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the base URL, API key and retry settings.</param>
    /// <returns>The HTTP client builder, to add handlers.</returns>
    public static IHttpClientBuilder AddReelgateClient(this IServiceCollection services, Action<ReelgateClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ReelgateClientOptions>().Configure(configure);
        var builder = services.AddHttpClient<ReelgateClient>((sp, http) =>
        {
            // The SSE wait and downloads can take long; each call passes its own cancellation.
            http.Timeout = Timeout.InfiniteTimeSpan;
        })
        .AddTypedClient((http, sp) => new ReelgateClient(http, sp.GetRequiredService<IOptions<ReelgateClientOptions>>().Value));
        builder.AddResilienceHandler("reelgate", (pipeline, context) =>
            pipeline.AddReelgateRetry(context.ServiceProvider.GetRequiredService<IOptions<ReelgateClientOptions>>().Value));
        return builder;
    }
}
