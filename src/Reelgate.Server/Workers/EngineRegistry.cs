using Reelgate.Core.Engines;

namespace Reelgate.Server.Workers;

/// <summary>The engines this node can run, by the name the catalog routes to. A later registration of a name wins.</summary>
public sealed class EngineRegistry
{
    private readonly Dictionary<string, IVideoEngine> _engines = new(StringComparer.Ordinal);

    public EngineRegistry(IEnumerable<IVideoEngine> engines)
    {
        foreach (var engine in engines)
        {
            _engines[engine.Name] = engine;
        }
    }

    public IReadOnlyCollection<IVideoEngine> All => _engines.Values;

    public IVideoEngine? Find(string name) => _engines.GetValueOrDefault(name);
}
