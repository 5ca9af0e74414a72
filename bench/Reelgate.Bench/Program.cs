using System.Text.Json;
using Reelgate.Bench;

// Reelgate benchmarks (not part of make test). Usage:
//   dotnet Reelgate.Bench.dll [all|service|renderer|peer] [--quick] [--out bench/results]
// ("all" is service and renderer; "peer" is Reelgate's PostgreSQL queue against graphile-worker)
// Run from the repository root after a Release build (bench/run does both).
var quick = args.Contains("--quick");
var outIndex = Array.IndexOf(args, "--out");
var outDir = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine("bench", "results");
Directory.CreateDirectory(outDir);
var what = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && a != outDir) ?? "all";
if (what is not ("renderer" or "service" or "all" or "peer"))
{
    Console.Error.WriteLine($"unknown benchmark '{what}' (known: renderer, service, peer, all)");
    return 2;
}

var serverDll = Path.Combine("src", "Reelgate.Server", "bin", "Release", "net10.0", "reelgate-server.dll");
if (what is "peer")
{
    var peer = await PeerBenchmark.RunAsync(serverDll, quick);
    peer["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    peer["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}";
    var peerFile = Path.Combine(outDir, $"peer-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
    await File.WriteAllTextAsync(peerFile, peer.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    foreach (var row in peer["rows"]!.AsArray())
    {
        Console.WriteLine($"{row!["metric"]}: Reelgate {row["reelgate"]}, graphile-worker {row["graphile"]}, ratio {row["ratio"]}" + (row["goal"] is { } goal ? $" (goal {goal}: {((bool)row["met"]! ? "met" : "missed")})" : ""));
    }

    Console.WriteLine($"written {peerFile}");
    return peer["rows"]!.AsArray().All(r => r!["met"] is null || (bool)r["met"]!) ? 0 : 1;
}

var ok = true;
if (what is "service" or "all")
{
    var service = await ServiceBenchmark.RunAsync(serverDll, quick);
    service["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    service["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}";
    var serviceFile = Path.Combine(outDir, $"service-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
    await File.WriteAllTextAsync(serviceFile, service.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"written {serviceFile}");
}

if (what is "service")
{
    return ok ? 0 : 1;
}

var result = await RendererBenchmark.RunAsync(repetitions: quick ? 1 : 5, preset: "veryfast", threads: 1, seconds: quick ? 2 : 5);
result["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
result["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}";
var file = Path.Combine(outDir, $"renderer-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
await File.WriteAllTextAsync(file, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"written {file}");
return result["rows"]!.AsArray().All(r => (bool)r!["met"]!) ? 0 : 1;
