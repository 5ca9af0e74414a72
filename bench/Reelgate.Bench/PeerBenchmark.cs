using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Reelgate.Core.Tasks;
using Reelgate.Data.Postgres;
using Reelgate.Testing;

namespace Reelgate.Bench;

/// <summary>
/// Reelgate's PostgreSQL queue against graphile-worker (bench/peer/graphile, Node.js) on one
/// throwaway PostgreSQL cluster, in one run, on this machine; every phase gets its own empty
/// database. Add rate: N jobs (after a warm-up of 200, not counted) with C in flight and no
/// worker running; Reelgate through <c>POST /api/v1/jobs/createTask</c> (one funded key of tier
/// <c>unlimited</c>), graphile-worker through <c>WorkerUtils.addJob</c>. Pickup: the pattern of
/// <see cref="ServiceBenchmark.PickupAsync"/> on both (2 workers, 5 warm-up jobs, then one job
/// after another 2-11 ms apart; latency = job started - add answered). Rounds alternate which
/// system goes first; rates are medians of the rounds, latencies are pooled over the rounds.
/// Informative rows: createTask from 64 keys on 64 accounts (against one hot key), the group
/// commit's batch sizes, pickup under a steady load of creates, and Reelgate's store call in process
/// (no HTTP, auth or JSON) with one key and with 64 keys, to separate the HTTP path from the
/// database. The machine's load average is recorded; above 1.5 per core the run is marked noisy.
/// </summary>
public static class PeerBenchmark
{
    private const int Warmup = 200;
    private const string SigningKey = "bench-url-signing-key-0123456789-0123456789";

    public static async Task<JsonObject> RunAsync(string serverDll, bool quick)
    {
        var jobs = quick ? 500 : 2000;
        var pickups = quick ? 50 : 200;
        var rounds = quick ? 1 : 3;
        const int Concurrency = 64;
        const int LoadPerSecond = 50; // within what 2 workers with the instant engine finish on either system, so the queue stays short
        var peerDir = Path.GetFullPath(Path.Combine("bench", "peer", "graphile"));
        if (PostgresCluster.InstalledBin is null)
        {
            throw new InvalidOperationException("PostgreSQL is not installed (scripts/install-deps.sh postgresql; bench/run peer does it)");
        }

        await NpmInstallAsync(peerDir);
        var loadAtStart = LoadAverage.Read();
        await using var cluster = await PostgresCluster.StartNewAsync();
        var pgVersion = await ScalarAsync(cluster.AdminConnectionString, "SHOW server_version");
        Console.WriteLine($"peer: PostgreSQL {pgVersion} on 127.0.0.1:{cluster.Port} (fsync=off), N={jobs} adds with {Concurrency} in flight, {pickups} pickups, {rounds} round(s); load average {loadAtStart}");

        var reelgateAdd = new List<JsonObject>();
        var reelgateAdd64 = new List<JsonObject>();
        var graphileAdd = new List<JsonObject>();
        var store1 = new List<JsonObject>();
        var store64 = new List<JsonObject>();
        var reelgatePickup = new List<double>();
        var graphilePickup = new List<double>();
        var reelgateLoaded = new List<double>();
        var graphileLoaded = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            // Alternate the order, so neither system always runs on a warmer (or busier) machine.
            var reelgateFirst = round % 2 == 1;
            async Task GraphileAddAsync()
            {
                var r = await NodeAsync(peerDir, ["--connection", await DatabaseAsync(cluster, $"g_add_{round}", url: true), "--phase", "add", "--jobs", Str(jobs), "--concurrency", Str(Concurrency), "--warmup", Str(Warmup)]);
                graphileAdd.Add(r);
                Console.WriteLine($"  round {round}: graphile-worker addJob {(double)r["jobsPerSecond"]!:0} jobs/s (p50 {(double)r["addP50Ms"]!:0.0} ms)");
            }

            async Task ReelgateAddAsync()
            {
                foreach (var (keys, into) in new[] { (1, reelgateAdd), (Concurrency, reelgateAdd64) })
                {
                    var r = await HttpAddAsync(serverDll, await DatabaseAsync(cluster, $"r_add_{keys}_{round}"), jobs, Concurrency, keys);
                    into.Add(r);
                    Console.WriteLine($"  round {round}: Reelgate createTask, {keys} key(s): {(double)r["jobsPerSecond"]!:0} jobs/s (p50 {(double)r["addP50Ms"]!:0.0} ms, errors {(int)r["errors"]!}); batches {r["batches"]!.ToJsonString()}");
                }
            }

            async Task GraphilePickupAsync(int loadRate, List<double> into)
            {
                var r = await NodeAsync(peerDir, ["--connection", await DatabaseAsync(cluster, $"g_pick_{loadRate}_{round}", url: true), "--phase", "pickup", "--jobs", Str(pickups), "--workers", "2", "--seed", Str(7 + round), "--load-rate", Str(loadRate)]);
                var latencies = r["latenciesMs"]!.AsArray().Select(x => (double)x!).ToList();
                into.AddRange(latencies);
                Console.WriteLine($"  round {round}: graphile-worker pickup{Loaded(loadRate)} p50 {ServiceBenchmark.Percentile(latencies, 0.5):0.000} ms, p99 {ServiceBenchmark.Percentile(latencies, 0.99):0.00} ms, n={latencies.Count}");
            }

            async Task ReelgatePickupAsync(int loadRate, List<double> into)
            {
                var latencies = await ServiceBenchmark.PickupAsync(serverDll, pickups, PostgresSettings(await DatabaseAsync(cluster, $"r_pick_{loadRate}_{round}")), loadRate);
                into.AddRange(latencies);
                Console.WriteLine($"  round {round}: Reelgate pickup{Loaded(loadRate)} p50 {ServiceBenchmark.Percentile(latencies, 0.5):0.000} ms, p99 {ServiceBenchmark.Percentile(latencies, 0.99):0.00} ms, n={latencies.Count}");
            }

            Func<Task>[] reelgatePhases = [ReelgateAddAsync, () => ReelgatePickupAsync(0, reelgatePickup), () => ReelgatePickupAsync(LoadPerSecond, reelgateLoaded)];
            Func<Task>[] graphilePhases = [GraphileAddAsync, () => GraphilePickupAsync(0, graphilePickup), () => GraphilePickupAsync(LoadPerSecond, graphileLoaded)];
            for (var phase = 0; phase < reelgatePhases.Length; phase++)
            {
                foreach (var run in reelgateFirst ? [reelgatePhases[phase], graphilePhases[phase]] : new[] { graphilePhases[phase], reelgatePhases[phase] })
                {
                    await run();
                }
            }

            var s1 = await StoreAddAsync(await DatabaseAsync(cluster, $"r_store1_{round}"), jobs, Concurrency, keys: 1);
            store1.Add(s1);
            var s64 = await StoreAddAsync(await DatabaseAsync(cluster, $"r_store64_{round}"), jobs, Concurrency, keys: Concurrency);
            store64.Add(s64);
            Console.WriteLine($"  round {round}: Reelgate store call in process: one key {(double)s1["jobsPerSecond"]!:0} jobs/s, {Concurrency} keys {(double)s64["jobsPerSecond"]!:0} jobs/s");
        }

        var loadAtEnd = LoadAverage.Read();
        var noisy = loadAtStart.IsNoisy || loadAtEnd.IsNoisy;
        if (noisy)
        {
            Console.WriteLine($"peer: NOISY: the 1-minute load average passed 1.5 per core ({loadAtStart} at start, {loadAtEnd} at end): not a result");
        }

        var rAdd = Median(reelgateAdd, "jobsPerSecond");
        var gAdd = Median(graphileAdd, "jobsPerSecond");
        var rP50 = ServiceBenchmark.Percentile(reelgatePickup, 0.5);
        var gP50 = ServiceBenchmark.Percentile(graphilePickup, 0.5);
        var rP99 = ServiceBenchmark.Percentile(reelgatePickup, 0.99);
        var rows = new JsonArray
        {
            Row($"add rate, jobs/s (N={jobs}, {Concurrency} in flight, no worker; Reelgate: createTask over HTTP, one key)", rAdd, gAdd, ">= 2", rAdd / gAdd >= 2),
            Row($"add rate, jobs/s (Reelgate: createTask over HTTP, {Concurrency} keys on {Concurrency} accounts)", Median(reelgateAdd64, "jobsPerSecond"), gAdd, null, null),
            Row($"pickup p50, ms (add answered -> job started, 2 workers, {pickups} x {rounds} jobs, idle otherwise)", rP50, gP50, "<= 0.5", gP50 > 0 ? rP50 / gP50 <= 0.5 : rP50 == 0),
            Row("pickup p99, ms (Reelgate goal: <= 20 ms)", rP99, ServiceBenchmark.Percentile(graphilePickup, 0.99), "Reelgate <= 20 ms", rP99 <= 20),
            Row("pickup max, ms", reelgatePickup.Max(), graphilePickup.Max(), null, null),
            Row($"pickup p50, ms, under a steady {LoadPerSecond} creates/s", ServiceBenchmark.Percentile(reelgateLoaded, 0.5), ServiceBenchmark.Percentile(graphileLoaded, 0.5), null, null),
            Row($"pickup p99, ms, under a steady {LoadPerSecond} creates/s", ServiceBenchmark.Percentile(reelgateLoaded, 0.99), ServiceBenchmark.Percentile(graphileLoaded, 0.99), null, null),
            Row("add latency p50, ms (per add, at the one-key add rate above)", Median(reelgateAdd, "addP50Ms"), Median(graphileAdd, "addP50Ms"), null, null),
            Row("add rate, jobs/s, Reelgate's store call in process (one key: the same group commit as createTask, no HTTP/auth/JSON)", Median(store1, "jobsPerSecond"), gAdd, null, null),
            Row($"add rate, jobs/s, Reelgate's store call in process ({Concurrency} keys on {Concurrency} accounts)", Median(store64, "jobsPerSecond"), gAdd, null, null),
        };
        return new JsonObject
        {
            ["rows"] = rows,
            ["noisy"] = noisy,
            ["loadAverage"] = new JsonObject { ["start"] = loadAtStart.ToJson(), ["end"] = loadAtEnd.ToJson(), ["cores"] = Environment.ProcessorCount },
            ["jobs"] = jobs,
            ["warmup"] = Warmup,
            ["concurrency"] = Concurrency,
            ["pickupsPerRound"] = pickups,
            ["steadyLoadPerSecond"] = LoadPerSecond,
            ["rounds"] = rounds,
            ["postgres"] = $"{pgVersion}, one throwaway cluster on 127.0.0.1 (fsync=off, max_connections=200), one database per system and phase",
            ["graphileWorker"] = graphileAdd[0]["graphileWorker"]?.DeepClone(),
            ["node"] = graphileAdd[0]["node"]?.DeepClone(),
            ["reelgateAddRounds"] = new JsonArray([.. reelgateAdd]),
            ["reelgateAdd64KeysRounds"] = new JsonArray([.. reelgateAdd64]),
            ["graphileAddRounds"] = new JsonArray([.. graphileAdd]),
            ["storeOneKeyRounds"] = new JsonArray([.. store1]),
            ["storeManyKeysRounds"] = new JsonArray([.. store64]),
        };
    }

    private static string Loaded(int loadRate) => loadRate > 0 ? $" (steady {loadRate} creates/s)" : "";

    private static string Str(int i) => i.ToString(CultureInfo.InvariantCulture);

    private static JsonObject Row(string metric, double reelgate, double graphile, string? goal, bool? met) => new()
    {
        ["metric"] = metric,
        ["reelgate"] = Math.Round(reelgate, 3),
        ["graphile"] = Math.Round(graphile, 3),
        ["ratio"] = graphile > 0 ? Math.Round(reelgate / graphile, 3) : null,
        ["goal"] = goal,
        ["met"] = met,
    };

    private static double Median(List<JsonObject> rounds, string field) =>
        ServiceBenchmark.Percentile(rounds.Select(r => (double)r[field]!).ToList(), 0.5);

    private static Dictionary<string, string> PostgresSettings(string connectionString) => new()
    {
        ["ConnectionStrings__Reelgate"] = connectionString,
        ["Reelgate__UrlSigningKey"] = SigningKey,
    };

    /// <summary>Creates an empty database; returns its Npgsql (or, for node-postgres, URL) connection string.</summary>
    private static async Task<string> DatabaseAsync(PostgresCluster cluster, string name, bool url = false)
    {
        await using (var admin = new NpgsqlConnection(cluster.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        return url ? $"postgres://postgres@127.0.0.1:{cluster.Port}/{name}" : $"Host=127.0.0.1;Port={cluster.Port};Username=postgres;Database={name}";
    }

    private static async Task<string> ScalarAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToString(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture)!;
    }

    /// <summary>Runs <c>add(i)</c> for i in [from, from + count) with <paramref name="concurrency"/> in flight; returns seconds and each add's latency (ms).</summary>
    private static async Task<(double Seconds, List<double> Latencies)> ConcurrentlyAsync(int from, int count, int concurrency, Func<int, Task> add)
    {
        var next = from - 1;
        var latencies = new List<double>[concurrency];
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async lane =>
        {
            var mine = latencies[lane] = [];
            int i;
            while ((i = Interlocked.Increment(ref next)) < from + count)
            {
                var t = Stopwatch.GetTimestamp();
                await add(i);
                mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
            }
        }));
        return (watch.Elapsed.TotalSeconds, latencies.SelectMany(l => l).ToList());
    }

    private static JsonObject AddResult(int jobs, (double Seconds, List<double> Latencies) run, long rows) => new()
    {
        ["jobs"] = jobs,
        ["seconds"] = Math.Round(run.Seconds, 3),
        ["jobsPerSecond"] = Math.Round(jobs / run.Seconds, 1),
        ["addP50Ms"] = Math.Round(ServiceBenchmark.Percentile(run.Latencies, 0.5), 3),
        ["addP99Ms"] = Math.Round(ServiceBenchmark.Percentile(run.Latencies, 0.99), 3),
        ["rowsInTable"] = rows,
    };

    /// <summary>
    /// createTask over HTTP on a server in PostgreSQL mode with no workers, from <paramref name="keys"/>
    /// keys on as many accounts (used round robin; one key is a reseller's single hot key). Adds the
    /// server's group-commit batch sizes (its <c>/metrics</c> histogram) to the result.
    /// </summary>
    private static async Task<JsonObject> HttpAddAsync(string serverDll, string connectionString, int jobs, int concurrency, int keys)
    {
        var settings = PostgresSettings(connectionString);
        settings["Reelgate__Workers"] = "0";
        using var server = await ServerUnderTest.StartAsync(serverDll, settings);
        var apiKeys = new string[keys];
        for (var k = 0; k < keys; k++)
        {
            apiKeys[k] = await server.FundedKeyAsync(Reelgate.Core.Accounts.Credits.MaxBalance);
        }

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = server.BaseAddress };
        var errors = 0;
        async Task Create(int i)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs/createTask")
            {
                Content = new StringContent(ServiceBenchmark.Body.Replace("benchmark", $"benchmark {i}", StringComparison.Ordinal), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKeys[i % keys]);
            request.Headers.Add("X-Request-ID", $"peer-{i}");
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadFromJsonAsync<JsonObject>();
            if (!response.IsSuccessStatusCode || (int?)body?["code"] != 200)
            {
                Interlocked.Increment(ref errors);
            }
        }

        await ConcurrentlyAsync(0, Warmup, concurrency, Create);
        var before = await BatchHistogramAsync(client);
        var run = await ConcurrentlyAsync(Warmup, jobs, concurrency, Create);
        var after = await BatchHistogramAsync(client);
        var result = AddResult(jobs, run, long.Parse(await ScalarAsync(connectionString, "SELECT count(*) FROM tasks"), CultureInfo.InvariantCulture));
        result["errors"] = errors;
        result["keys"] = keys;
        result["batches"] = BatchSizes(before, after);
        return result;
    }

    /// <summary>The cumulative buckets of <c>reelgate_create_batch_size</c> from <c>/metrics</c> (le -> count, and "sum").</summary>
    private static async Task<Dictionary<string, double>> BatchHistogramAsync(HttpClient client)
    {
        var text = await client.GetStringAsync("/metrics");
        var buckets = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("reelgate_create_batch_size_bucket{", StringComparison.Ordinal))
            {
                var le = line[(line.IndexOf("le=\"", StringComparison.Ordinal) + 4)..];
                buckets[le[..le.IndexOf('"', StringComparison.Ordinal)]] = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("reelgate_create_batch_size_sum", StringComparison.Ordinal))
            {
                buckets["sum"] = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return buckets;
    }

    /// <summary>Batches committed during the measured run, per size range, and the mean size.</summary>
    private static JsonObject BatchSizes(Dictionary<string, double> before, Dictionary<string, double> after)
    {
        double At(Dictionary<string, double> h, string le) => h.TryGetValue(le, out var v) ? v : 0;
        var histogram = new JsonObject();
        var previous = 0.0;
        var lower = 1;
        foreach (var le in after.Keys.Where(k => k != "sum" && k != "+Inf").OrderBy(k => double.Parse(k, CultureInfo.InvariantCulture)))
        {
            var cumulative = At(after, le) - At(before, le);
            var upper = (int)double.Parse(le, CultureInfo.InvariantCulture);
            if (cumulative - previous > 0)
            {
                histogram[lower == upper ? $"{upper}" : $"{lower}-{upper}"] = cumulative - previous;
            }

            previous = cumulative;
            lower = upper + 1;
        }

        var batches = At(after, "+Inf") - At(before, "+Inf");
        return new JsonObject
        {
            ["count"] = batches,
            ["meanSize"] = batches > 0 ? Math.Round((At(after, "sum") - At(before, "sum")) / batches, 2) : null,
            ["histogram"] = histogram,
        };
    }

    /// <summary>
    /// <see cref="PostgresTaskStore.CreateAsync"/> in this process: the createTask transaction
    /// (key lock, idempotency lookup, account lock, insert, charge in the ledger, NOTIFY) without
    /// HTTP, authentication and JSON. <paramref name="keys"/> keys on as many accounts, used round robin.
    /// </summary>
    private static async Task<JsonObject> StoreAddAsync(string connectionString, int jobs, int concurrency, int keys)
    {
        await using var db = new PostgresDatabase(connectionString);
        await db.MigrateAsync(CancellationToken.None);
        var accounts = new PostgresAccountStore(db);
        var store = new PostgresTaskStore(db);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var k = 0; k < keys; k++)
        {
            await accounts.CreateAccountAsync($"acc_bench_{k}", "bench", Reelgate.Core.Accounts.Credits.MaxBalance, now, CancellationToken.None);
            await accounts.CreateKeyAsync($"key_bench_{k}", $"acc_bench_{k}", "bench", "unlimited", $"rg_bench{k:D4}", new byte[32], Reelgate.Core.Accounts.KeyLimits.None, now, CancellationToken.None);
        }

        async Task Create(int i)
        {
            var k = i % keys;
            var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var param = ServiceBenchmark.Body.Replace("benchmark", $"benchmark {i}", StringComparison.Ordinal);
            var outcome = await store.CreateAsync(new NewTask
            {
                TaskId = TaskIds.New(at),
                AccountId = $"acc_bench_{k}",
                KeyId = $"key_bench_{k}",
                Model = "seedance-2.0-text-to-video",
                Param = param,
                Input = $$"""{"prompt":"benchmark {{i}}","resolution":"480p","duration":4,"aspect_ratio":"16:9"}""",
                Cost = 40,
                Seed = i,
                BaseUrl = "http://127.0.0.1",
                RequestId = $"peer-{i}",
                RequestHash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(param))),
                Now = at,
            }, CancellationToken.None);
            if (outcome.Status != CreateTaskStatus.Created)
            {
                throw new InvalidOperationException($"store create {i}: {outcome.Status}");
            }
        }

        await ConcurrentlyAsync(0, Warmup, concurrency, Create);
        var run = await ConcurrentlyAsync(Warmup, jobs, concurrency, Create);
        var result = AddResult(jobs, run, long.Parse(await ScalarAsync(connectionString, "SELECT count(*) FROM tasks"), CultureInfo.InvariantCulture));
        result["keys"] = keys;
        return result;
    }

    /// <summary>Runs bench.mjs; returns the JSON object it prints last.</summary>
    private static async Task<JsonObject> NodeAsync(string peerDir, string[] args)
    {
        var psi = new ProcessStartInfo("node", ["bench.mjs", .. args]) { WorkingDirectory = peerDir, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("bench.mjs did not finish in 5 minutes");
        }

        var line = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (p.ExitCode != 0 || line is null)
        {
            throw new InvalidOperationException($"node bench.mjs {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}");
        }

        return JsonNode.Parse(line)!.AsObject();
    }

    /// <summary><c>npm ci</c> (or <c>npm install</c> without a lock file) when node_modules is missing.</summary>
    private static async Task NpmInstallAsync(string peerDir)
    {
        if (Directory.Exists(Path.Combine(peerDir, "node_modules", "graphile-worker")))
        {
            return;
        }

        var command = File.Exists(Path.Combine(peerDir, "package-lock.json")) ? "ci" : "install";
        Console.WriteLine($"peer: npm {command} in {peerDir}");
        using var p = Process.Start(new ProcessStartInfo("npm", [command, "--no-audit", "--no-fund"]) { WorkingDirectory = peerDir, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm {command} failed ({p.ExitCode}): {await stderr} {await stdout}");
        }
    }
}
