using Microsoft.Extensions.Options;
using Reelgate.Core.Engines;
using Reelgate.Engines.Benchmark;
using Reelgate.Engines.BuiltIn;
using Reelgate.Engines.Upstream;
using Reelgate.Server.Options;

namespace Reelgate.Server.Workers;

/// <summary>
/// Builds every engine this node runs, and is the one place that maps configuration onto them:
/// the built-in renderer (<c>Reelgate:FfmpegPath</c>, x264 threads), the upstream engines of
/// <c>Reelgate:Engines:{name}</c> (HTTP clients from <see cref="IHttpClientFactory"/>, the signed
/// callback URL), and the benchmark-only instant engine.
/// </summary>
public sealed class EngineFactory(
    IOptions<ReelgateOptions> options,
    IHttpClientFactory http,
    TimeProvider time,
    ILoggerFactory logs,
    UpstreamWakeups wakeups,
    Security.DataDirectorySecrets secrets)
{
    private readonly ReelgateOptions _options = options.Value;

    public BuiltInRenderer BuiltIn() => new(RendererOptions(_options), logs.CreateLogger<BuiltInRenderer>());

    /// <summary>The upstream engine <c>Reelgate:Engines:{name}</c> describes (the validator has checked it at start).</summary>
    public IVideoEngine Upstream(string name, EngineOptions engine)
    {
        var callback = engine.Callbacks && _options.PublicBaseUrl is { Length: > 0 } origin ? Api.UpstreamHookEndpoints.CallbackUrl(origin, name, secrets) : null;
        var settings = new UpstreamEngineSettings(
            name, new Uri(engine.BaseUrl!.TrimEnd('/') + "/"), engine.ApiKey!, engine.Model!, engine.PollInitial, engine.PollMax,
            engine.CreateTries, engine.RequestTimeout, engine.Watermark, _options.FfmpegPath, callback);
        return engine.Type == "relay"
            ? new RelayEngine(settings, time, logs.CreateLogger<RelayEngine>(), http, wakeups)
            : new ModelArkEngine(settings, time, logs.CreateLogger<ModelArkEngine>(), http, wakeups);
    }

    public InstantEngine Instant(BuiltInRenderer renderer) =>
        new(renderer, new WorkDirectory(_options.DataDirectory).Path, _options.Benchmark.PickupLog);

    /// <summary>x264 threads per render: cores / workers unless pinned, so parallel renders do not oversubscribe the machine.</summary>
    private static BuiltInRendererOptions RendererOptions(ReelgateOptions o) => new()
    {
        FfmpegPath = o.FfmpegPath,
        Threads = BuiltInRendererOptions.ThreadsFor(o.RendererThreads, o.Workers, Environment.ProcessorCount),
    };
}
