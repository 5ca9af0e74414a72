using Microsoft.Extensions.Options;
using Reelgate.Core.Engines;
using Reelgate.Engines.Benchmark;
using Reelgate.Engines.BuiltIn;
using Reelgate.Engines.Upstream;
using Reelgate.Server.Options;

namespace Reelgate.Server.Workers;

/// <summary>
/// The engines this node can run, by the name routes and the catalog use: the built-in renderer,
/// every upstream engine of <c>Reelgate:Engines</c>, and any registered in code (which win). With <c>Reelgate:Benchmark:InstantEngine</c> every model is routed to the
/// benchmark-only instant engine instead.
/// </summary>
public sealed class EngineRegistry
{
    private readonly Dictionary<string, IVideoEngine> _engines = new(StringComparer.Ordinal);
    private readonly IVideoEngine? _override;

    public EngineRegistry(IEnumerable<IVideoEngine> engines, IOptions<ReelgateOptions> options, TimeProvider time, ILoggerFactory logs, UpstreamWakeups wakeups, Security.DataDirectorySecrets secrets)
    {
        var o = options.Value;

        // Upstream engines from configuration (Reelgate:Engines:{name}); registered engines win.
        foreach (var (name, e) in o.Engines)
        {
            var callback = e.Callbacks && o.PublicBaseUrl is { Length: > 0 } origin ? Api.UpstreamHookEndpoints.CallbackUrl(origin, name, secrets) : null;
            var settings = new UpstreamEngineSettings(name, new Uri(e.BaseUrl!.TrimEnd('/') + "/"), e.ApiKey!, e.Model!, e.PollInitial, e.PollMax, e.CreateTries, e.RequestTimeout, e.Watermark, o.FfmpegPath, callback);
            _engines[name] = e.Type == "relay"
                ? new RelayEngine(settings, time, logs.CreateLogger<RelayEngine>(), wakeups: wakeups)
                : new ModelArkEngine(settings, time, logs.CreateLogger<ModelArkEngine>(), wakeups: wakeups);
        }

        foreach (var engine in engines)
        {
            _engines[engine.Name] = engine;
        }

        if (o.Benchmark.InstantEngine && _engines.GetValueOrDefault("builtin") is BuiltInRenderer renderer)
        {
            _override = new InstantEngine(renderer, Path.Combine(o.DataDirectory, "work"), o.Benchmark.PickupLog);
            _engines[_override.Name] = _override;
        }
    }

    public IReadOnlyCollection<IVideoEngine> All => _engines.Values;

    public IVideoEngine? Find(string name) => _override ?? _engines.GetValueOrDefault(name);

    /// <summary>The benchmark-only engine that replaces every route, when configured.</summary>
    public IVideoEngine? Override => _override;
}
