using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Server.Options;

namespace Reelgate.Server.Workers;

/// <summary>
/// Which engines a task tries, in order: the model's route (<c>Reelgate:Routes:{model}</c>, else
/// the catalog's <c>engine</c>), by priority, and within one priority in a weighted random order
/// drawn from the task id (so a task's order is the same on every claim and node). Engines whose
/// circuit breaker is open are left out while another engine remains; a breaker opens after
/// <c>Reelgate:Breaker:Failures</c> consecutive failures of an engine on this node and lets one
/// task through again after <c>Reelgate:Breaker:Cooldown</c>.
/// </summary>
public sealed class EngineRouter(EngineRegistry engines, IOptions<ReelgateOptions> options, TimeProvider time)
{
    private readonly ReelgateOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, Breaker> _breakers = new(StringComparer.Ordinal);

    /// <summary>The engines to try for a task, best first; empty when none of them exists here.</summary>
    public IReadOnlyList<IVideoEngine> Route(ModelDefinition model, string taskId)
    {
        if (engines.Override is { } only)
        {
            return [only];
        }

        var entries = _options.Routes.TryGetValue(model.Id, out var configured) && configured.Count > 0
            ? configured
            : [new RouteEntry { Engine = model.Engine }];
        var random = new Random(StableHash(taskId));
        var ordered = entries
            .Select((e, i) => (Entry: e, Priority: e.Priority ?? i, Key: WeightedKey(e.Weight, random)))
            .OrderBy(x => x.Priority)
            .ThenBy(x => x.Key)
            .Select(x => engines.Find(x.Entry.Engine))
            .OfType<IVideoEngine>()
            .Distinct()
            .ToList();
        var closed = ordered.Where(e => !IsOpen(e.Name)).ToList();
        return closed.Count > 0 ? closed : ordered;
    }

    public void Succeeded(string engine) => _breakers.GetOrAdd(engine, _ => new Breaker()).Succeeded();

    public void Failed(string engine) => _breakers.GetOrAdd(engine, _ => new Breaker()).Failed(time.GetUtcNow(), _options.Breaker.Failures, _options.Breaker.Cooldown);

    /// <summary>Whether the engine's breaker is open now (a half-open breaker lets one task through).</summary>
    public bool IsOpen(string engine) => _breakers.TryGetValue(engine, out var b) && b.IsOpen(time.GetUtcNow(), _options.Breaker.Cooldown);

    /// <summary>Breaker states for the admin API: engine, consecutive failures, open until.</summary>
    public IReadOnlyDictionary<string, (int Failures, DateTimeOffset? OpenUntil)> Breakers =>
        _breakers.ToDictionary(kv => kv.Key, kv => kv.Value.Snapshot(), StringComparer.Ordinal);

    // Efraimidis-Spirakis: sorting by -ln(u)/w gives a weighted random order; weight 0 goes last.
    private static double WeightedKey(int weight, Random random) =>
        weight <= 0 ? double.MaxValue : -Math.Log(1 - random.NextDouble()) / weight;

    private static int StableHash(string s)
    {
        var h = 2166136261u;
        foreach (var c in s)
        {
            h = (h ^ c) * 16777619u;
        }

        return (int)h;
    }

    private sealed class Breaker
    {
        private readonly Lock _lock = new();
        private int _failures;
        private DateTimeOffset? _openUntil;
        private bool _trialOut;

        public void Succeeded()
        {
            lock (_lock)
            {
                _failures = 0;
                _openUntil = null;
                _trialOut = false;
            }
        }

        public void Failed(DateTimeOffset now, int threshold, TimeSpan cooldown)
        {
            lock (_lock)
            {
                _failures++;
                _trialOut = false;
                if (_failures >= threshold)
                {
                    _openUntil = now + cooldown;
                }
            }
        }

        public bool IsOpen(DateTimeOffset now, TimeSpan cooldown)
        {
            lock (_lock)
            {
                if (_openUntil is not { } until)
                {
                    return false;
                }

                if (now < until)
                {
                    return true;
                }

                // Half-open: one task goes through; until it reports, the others stay away.
                if (_trialOut)
                {
                    return true;
                }

                _trialOut = true;
                _openUntil = now + cooldown;
                return false;
            }
        }

        public (int, DateTimeOffset?) Snapshot()
        {
            lock (_lock)
            {
                return (_failures, _openUntil);
            }
        }
    }
}
