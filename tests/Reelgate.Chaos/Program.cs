using Reelgate.Chaos;

// Crash harness. Usage:
//   dotnet Reelgate.Chaos.dll --server <path/to/reelgate-server.dll> [--long] [--seed N] [--tasks N]
// Short form (default, part of make test): >= 100 tasks, >= 5 kills. Long form: >= 1000 tasks, >= 30 kills.
var server = Arg("--server") ?? Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "Reelgate.Server", "bin", "Release", "net10.0", "reelgate-server.dll");
if (!File.Exists(server))
{
    Console.Error.WriteLine($"chaos: server not found at {server} (build Release first or pass --server)");
    return 2;
}

var longForm = args.Contains("--long");
var dataDirectory = Path.Combine(Path.GetTempPath(), "reelgate-chaos-" + Guid.NewGuid().ToString("N"));
var settings = new ChaosSettings
{
    DataDirectory = dataDirectory,
    Seed = int.Parse(Arg("--seed") ?? "42", System.Globalization.CultureInfo.InvariantCulture),
    Tasks = int.Parse(Arg("--tasks") ?? (longForm ? "1400" : "130"), System.Globalization.CultureInfo.InvariantCulture),
    MinKills = longForm ? 30 : 5,
    Clients = longForm ? 8 : 6,
    LoadSeconds = longForm ? 150 : 12,
};
var serverSettings = new Dictionary<string, string>
{
    ["Reelgate__Workers"] = "2",
    ["Reelgate__Lease"] = "00:00:03",
    ["Reelgate__MaxAttempts"] = "5",
    ["Reelgate__FallbackPoll"] = "00:00:01",
};
using var process = new ServerProcess(Path.GetFullPath(server), dataDirectory, ChaosRun.Admin, serverSettings);
try
{
    return await new ChaosRun(settings, process, Console.Out).RunAsync();
}
finally
{
    process.Kill();
    try
    {
        Directory.Delete(dataDirectory, recursive: true);
    }
    catch (IOException)
    {
        // Orphaned ffmpeg children may still be writing; the temp directory is left.
    }
}

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
