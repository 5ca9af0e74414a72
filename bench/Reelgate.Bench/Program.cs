using System.Text.Json;
using Reelgate.Bench;

// Reelgate benchmarks (not part of make test). Usage:
//   dotnet Reelgate.Bench.dll [all|service|renderer] [--quick] [--out bench/results]
// Run from the repository root after a Release build (bench/run does both).
var quick = args.Contains("--quick");
var outIndex = Array.IndexOf(args, "--out");
var outDir = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine("bench", "results");
Directory.CreateDirectory(outDir);
var what = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && a != outDir) ?? "all";
if (what is not ("renderer" or "service" or "all"))
{
    Console.Error.WriteLine($"unknown benchmark '{what}' (known: renderer, service, all)");
    return 2;
}

var ok = true;
if (what is "service" or "all")
{
    var server = Path.Combine("src", "Reelgate.Server", "bin", "Release", "net10.0", "reelgate-server.dll");
    var service = await ServiceBenchmark.RunAsync(server, quick);
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
