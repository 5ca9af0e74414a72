using Microsoft.Extensions.Options;
using Reelgate.Core.Engines;
using Reelgate.Engines.Benchmark;
using Reelgate.Engines.BuiltIn;
using Reelgate.Server.Options;

namespace Reelgate.Server.Workers;

/// <summary>
/// The engines this node can run, by the name the catalog routes to. A later registration of a
/// name wins. With <c>Reelgate:Benchmark:InstantEngine</c> every model is routed to the
/// benchmark-only instant engine instead.
/// </summary>
public sealed class EngineRegistry
{
    private readonly Dictionary<string, IVideoEngine> _engines = new(StringComparer.Ordinal);
    private readonly IVideoEngine? _override;

    public EngineRegistry(IEnumerable<IVideoEngine> engines, IOptions<ReelgateOptions> options)
    {
        foreach (var engine in engines)
        {
            _engines[engine.Name] = engine;
        }

        var o = options.Value;
        if (o.Benchmark.InstantEngine && _engines.GetValueOrDefault("builtin") is BuiltInRenderer renderer)
        {
            _override = new InstantEngine(renderer, Path.Combine(o.DataDirectory, "work"), o.Benchmark.PickupLog);
            _engines[_override.Name] = _override;
        }
    }

    public IReadOnlyCollection<IVideoEngine> All => _engines.Values;

    public IVideoEngine? Find(string name) => _override ?? _engines.GetValueOrDefault(name);
}
