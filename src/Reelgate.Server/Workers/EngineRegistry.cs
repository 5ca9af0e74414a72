using Microsoft.Extensions.Options;
using Reelgate.Core.Engines;
using Reelgate.Engines.BuiltIn;
using Reelgate.Server.Options;

namespace Reelgate.Server.Workers;

/// <summary>
/// The engines this node can run, by the name routes and the catalog use: the built-in renderer,
/// every upstream engine of <c>Reelgate:Engines</c>, and any registered in code (which win). With <c>Reelgate:Benchmark:InstantEngine</c> every model is routed to the
/// benchmark-only instant engine instead. <see cref="EngineFactory"/> builds them.
/// </summary>
public sealed class EngineRegistry
{
    private readonly Dictionary<string, IVideoEngine> _engines = new(StringComparer.Ordinal);
    private readonly IVideoEngine? _override;

    public EngineRegistry(IEnumerable<IVideoEngine> engines, EngineFactory factory, IOptions<ReelgateOptions> options)
    {
        var o = options.Value;

        // Upstream engines from configuration (Reelgate:Engines:{name}); registered engines win.
        foreach (var (name, e) in o.Engines)
        {
            _engines[name] = factory.Upstream(name, e);
        }

        foreach (var engine in engines)
        {
            _engines[engine.Name] = engine;
        }

        if (o.Benchmark.InstantEngine && _engines.GetValueOrDefault("builtin") is BuiltInRenderer renderer)
        {
            _override = factory.Instant(renderer);
            _engines[_override.Name] = _override;
        }
    }

    public IReadOnlyCollection<IVideoEngine> All => _engines.Values;

    public IVideoEngine? Find(string name) => _override ?? _engines.GetValueOrDefault(name);

    /// <summary>The benchmark-only engine that replaces every route, when configured.</summary>
    public IVideoEngine? Override => _override;
}
