using Microsoft.Extensions.Options;
using Reelgate.Core.Engines;
using Reelgate.Core.Media;
using Reelgate.Engines.Media;
using Reelgate.Engines.Upstream;

namespace Reelgate.Server.Workers;

/// <summary>Registers the engines, their factory, registry and router, the upstreams' HTTP clients, and the media inspector.</summary>
public static class EngineServices
{
    public static IServiceCollection AddReelgateEngines(this IServiceCollection services)
    {
        // No request logging on these clients: every poll would be a line, and a download URL
        // may carry the upstream's signature. The engines log what matters themselves.
        services.AddHttpClient(UpstreamEngine.ApiClientName).RemoveAllLoggers();
        services.AddHttpClient(UpstreamEngine.DownloadClientName).RemoveAllLoggers();
        services.AddSingleton<UpstreamWakeups>();
        services.AddSingleton<EngineFactory>();

        // Registered as an engine so that an engine registered later under "builtin" (tests) wins.
        services.AddSingleton<IVideoEngine>(sp => sp.GetRequiredService<EngineFactory>().BuiltIn());
        services.AddSingleton<EngineRegistry>();
        services.AddSingleton<EngineRouter>();

        // Media inputs and uploads are probed by the ffprobe installed beside Reelgate:FfmpegPath.
        services.AddSingleton<IMediaInspector>(sp =>
            new MediaInspector(MediaInspector.FfprobeBeside(sp.GetRequiredService<IOptions<Options.ReelgateOptions>>().Value.FfmpegPath)));
        return services;
    }
}
