using System.Text.Json;
using Reelgate.Bench;

// Reelgate benchmarks (not part of make test). Usage:
//   dotnet Reelgate.Bench.dll renderer [--quick] [--out bench/results]
var quick = args.Contains("--quick");
var outIndex = Array.IndexOf(args, "--out");
var outDir = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine("bench", "results");
Directory.CreateDirectory(outDir);
var what = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "renderer";
if (what != "renderer")
{
    Console.Error.WriteLine($"unknown benchmark '{what}' (known: renderer)");
    return 2;
}

var result = await RendererBenchmark.RunAsync(repetitions: quick ? 1 : 5, preset: "veryfast", threads: 1, seconds: quick ? 2 : 5);
result["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
result["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}";
var file = Path.Combine(outDir, $"renderer-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
await File.WriteAllTextAsync(file, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"written {file}");
return result["rows"]!.AsArray().All(r => (bool)r!["met"]!) ? 0 : 1;
