using System.Globalization;
using System.Text.Json.Nodes;

namespace Reelgate.Bench;

/// <summary>
/// The machine's load average (<c>/proc/loadavg</c>), recorded at the start and end of a run:
/// the benchmarks share the cores with whatever else runs, and a ratio measured while other
/// work holds the cores is noise, not a property of the server.
/// </summary>
public sealed record LoadAverage(double OneMinute, double FiveMinutes, double FifteenMinutes)
{
    /// <summary>A run is noisy when the 1-minute load average exceeds this per core (3.0 on 2 cores).</summary>
    public const double NoisyPerCore = 1.5;

    public bool IsNoisy => OneMinute > NoisyPerCore * Environment.ProcessorCount;

    /// <summary>The current load average; zeros where <c>/proc/loadavg</c> does not exist (not Linux).</summary>
    public static LoadAverage Read()
    {
        if (!File.Exists("/proc/loadavg"))
        {
            return new LoadAverage(0, 0, 0);
        }

        var parts = File.ReadAllText("/proc/loadavg").Split(' ');
        static double At(string[] p, int i) => double.Parse(p[i], CultureInfo.InvariantCulture);
        return new LoadAverage(At(parts, 0), At(parts, 1), At(parts, 2));
    }

    public JsonObject ToJson() => new() { ["1m"] = OneMinute, ["5m"] = FiveMinutes, ["15m"] = FifteenMinutes, ["noisy"] = IsNoisy };

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{OneMinute:0.00}/{FiveMinutes:0.00}/{FifteenMinutes:0.00}");
}
