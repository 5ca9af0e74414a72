using Reelgate.Chaos;

// Crash harness. Usage:
//   dotnet Reelgate.Chaos.dll --server <path/to/reelgate-server.dll> [--long] [--seed N] [--tasks N] [--postgres]
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

if (args.Contains("--postgres"))
{
    return await RunOnPostgresAsync();
}

using var process = new ServerProcess(Path.GetFullPath(server), dataDirectory, ChaosRun.Admin, serverSettings);
try
{
    return await WithinLimitAsync(new ChaosRun(settings, process, Console.Out), process);
}
finally
{
    process.Kill();
    TryDelete(dataDirectory);
}

// PostgreSQL mode: an API node and a worker node (separate processes and data directories, one
// shared results directory) on a throwaway PostgreSQL cluster; either node is killed (-9) at
// random moments. In CI (CI=true) a missing PostgreSQL is a failure.
async Task<int> RunOnPostgresAsync()
{
    if (Reelgate.Testing.PostgresCluster.InstalledBin is null)
    {
        Console.Error.WriteLine("chaos: PostgreSQL is not installed (scripts/install-deps.sh postgresql)" + (Environment.GetEnvironmentVariable("CI") == "true" ? "" : "; skipped"));
        return Environment.GetEnvironmentVariable("CI") == "true" ? 1 : 0;
    }

    await using var cluster = await Reelgate.Testing.PostgresCluster.StartNewAsync();
    await using (var admin = new Npgsql.NpgsqlConnection(cluster.AdminConnectionString))
    {
        await admin.OpenAsync();
        await using var create = new Npgsql.NpgsqlCommand("CREATE DATABASE chaos", admin);
        await create.ExecuteNonQueryAsync();
    }

    var connection = $"Host=127.0.0.1;Port={cluster.Port};Username=postgres;Database=chaos";
    var nodeSettings = new Dictionary<string, string>(serverSettings)
    {
        ["ConnectionStrings__Reelgate"] = connection,
        ["Reelgate__UrlSigningKey"] = "chaos-url-signing-key-0123456789-0123456789",
        ["Reelgate__ResultsDirectory"] = Path.Combine(dataDirectory, "results"),
        ["Reelgate__SweepInterval"] = "00:00:01",
    };
    Directory.CreateDirectory(dataDirectory);
    using var api = new ServerProcess(Path.GetFullPath(server), Path.Combine(dataDirectory, "api"), ChaosRun.Admin, nodeSettings, "api");
    using var worker = new ServerProcess(Path.GetFullPath(server), Path.Combine(dataDirectory, "worker"), ChaosRun.Admin, nodeSettings, "worker");
    try
    {
        Console.WriteLine("chaos: PostgreSQL mode (an API node and a worker node, either killed)");
        return await WithinLimitAsync(
            new ChaosRun(settings, api, Console.Out, worker, (outcomes, accounts) => DatabaseCheck.Run(new Npgsql.NpgsqlConnection(connection), outcomes, accounts)),
            api,
            worker);
    }
    finally
    {
        api.Kill();
        worker.Kill();
        Npgsql.NpgsqlConnection.ClearAllPools();
        TryDelete(dataDirectory);
    }
}

// The harness stops by itself: a run that has not reported within the limit fails, saying
// where it was and what the nodes last logged (the caller's kill timeout is a last resort).
async Task<int> WithinLimitAsync(ChaosRun run, params ServerProcess[] nodes)
{
    var limit = TimeSpan.FromSeconds(longForm ? 1800 : 540);
    var work = run.RunAsync();
    if (await Task.WhenAny(work, Task.Delay(limit)) == work)
    {
        return await work;
    }

    Console.WriteLine($"chaos: FAILED: no result within {limit.TotalSeconds:0} s (phase: {run.Phase})");
    foreach (var node in nodes)
    {
        string log;
        lock (node.Log)
        {
            log = node.Log.ToString();
        }

        Console.WriteLine($"--- last lines of {node.Name}'s log ---");
        foreach (var line in log.Split('\n').TakeLast(25))
        {
            Console.WriteLine(line);
        }
    }

    return 1;
}

static void TryDelete(string directory)
{
    try
    {
        Directory.Delete(directory, recursive: true);
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
