using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Reelgate.Bench;

/// <summary>Runs Debian's wrk against loopback and reads requests/s and the 99th percentile latency.</summary>
public static partial class Wrk
{
    public sealed record Result(double RequestsPerSecond, double P99Milliseconds, long Non2xx, long Requests);

    public static async Task<Result> RunAsync(string url, int connections, int seconds, string? luaScript = null, IEnumerable<string>? headers = null, Action? sample = null)
    {
        var args = new List<string> { "-t2", $"-c{connections}", $"-d{seconds}s", "--latency" };
        foreach (var h in headers ?? [])
        {
            args.AddRange(["-H", h]);
        }

        if (luaScript is not null)
        {
            args.AddRange(["-s", luaScript]);
        }

        args.Add(url);
        using var p = Process.Start(new ProcessStartInfo("wrk", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEndAsync();
        while (!p.HasExited)
        {
            sample?.Invoke();
            await Task.Delay(200);
        }

        var text = await output;
        var rps = double.Parse(Rps().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        var p99 = P99().Match(text);
        var value = double.Parse(p99.Groups[1].Value, CultureInfo.InvariantCulture);
        var ms = p99.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
        var non2xx = Non2xx().Match(text) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var requests = long.Parse(Requests().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        return new Result(rps, ms, non2xx, requests);
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex Rps();

    [GeneratedRegex(@"99%\s+([0-9.]+)(us|ms|s)")]
    private static partial Regex P99();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();
}
