using System.Text.Json;
using Reelgate.Bench;

// Reelgate benchmarks (not part of make test). Usage:
//   dotnet Reelgate.Bench.dll [all|service|renderer|peer] [--quick] [--out bench/results]
//     [--workers N] [--only TEXT] [--command CASE]
// ("all" is service and renderer; "e2e" is the saturated end-to-end of service alone; "peer" is Reelgate's PostgreSQL queue against graphile-worker;
// --workers: the Reelgate:Workers the renderer's thread count and the service run follow, default
// the server's default, one per core; --only: the renderer cases whose name contains TEXT)
// Run from the repository root after a Release build (bench/run does both).
var quick = args.Contains("--quick");
var outIndex = Array.IndexOf(args, "--out");
var outDir = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine("bench", "results");
Directory.CreateDirectory(outDir);
string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
var workers = Option("--workers") is { } w ? int.Parse(w, System.Globalization.CultureInfo.InvariantCulture) : Environment.ProcessorCount;
var only = Option("--only");
if (Option("--command") is { } commandOf)
{
    // The ffmpeg arguments of one renderer case, one per line (to profile a case by hand).
    var matrix = RendererMatrix.LoadCatalog();
    var found = RendererMatrix.Cases(matrix, 5).First(c => c.Name == commandOf);
    var style = Reelgate.Engines.BuiltIn.PromptStyle.From(found.Spec.Prompt, found.Spec.Seed);
    var options = new Reelgate.Engines.BuiltIn.BuiltInRendererOptions { Threads = Reelgate.Engines.BuiltIn.BuiltInRendererOptions.ThreadsFor(0, workers, Environment.ProcessorCount) };
    // The caption as the renderer writes it, so the command is the one a worker runs.
    var caption = Path.Combine(Path.GetTempPath(), "reelgate-bench-caption.txt");
    await File.WriteAllTextAsync(caption, Reelgate.Engines.BuiltIn.CaptionLayout.Wrap(found.Spec.Prompt, found.Spec.Width, found.Spec.Height));
    Console.WriteLine(string.Join('\n', Reelgate.Engines.BuiltIn.RenderCommand.Build(found.Spec, style, options, "out.mp4", caption, "poster.jpg")));
    return 0;
}

var what = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !args[i - 1].StartsWith("--", StringComparison.Ordinal) || args[i - 1] == "--quick")).FirstOrDefault() ?? "all";
if (what is not ("renderer" or "service" or "all" or "peer" or "e2e"))
{
    Console.Error.WriteLine($"unknown benchmark '{what}' (known: renderer, service, e2e, peer, all)");
    return 2;
}

var serverDll = Path.Combine("src", "Reelgate.Server", "bin", "Release", "net10.0", "reelgate-server.dll");
if (what is "e2e")
{
    // The saturated end-to-end alone (also part of "service").
    var e2e = await EndToEndBenchmark.RunAsync(serverDll, quick ? 12 : 36, workers);
    e2e["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    e2e["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}";
    e2e["load"] = LoadAverage.Read().ToJson();
    Console.WriteLine($"written {await EndToEndBenchmark.WriteAsync(e2e, outDir)}");
    return (bool)e2e["met"]! ? 0 : 1;
}

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
    var service = await ServiceBenchmark.RunAsync(serverDll, quick, workers);
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

// The thread count the server gives a render with these workers (Reelgate:RendererThreads unset).
var threads = Reelgate.Engines.BuiltIn.BuiltInRendererOptions.ThreadsFor(0, workers, Environment.ProcessorCount);
var catalog = RendererMatrix.LoadCatalog();
var result = await RendererBenchmark.RunAsync(catalog, repetitions: quick ? 1 : 3, preset: "veryfast", threads, seconds: quick ? 5 : 5, only);
result["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
result["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}";
var file = Path.Combine(outDir, $"renderer-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
await File.WriteAllTextAsync(file, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"written {file}");
return (bool)result["met"]! ? 0 : 1;
