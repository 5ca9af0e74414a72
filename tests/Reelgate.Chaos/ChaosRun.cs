using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reelgate.Chaos;

/// <summary>
/// Drives createTask load against the real server while killing it (SIGKILL) at random moments
/// and restarting it on the same data directory; then checks every promise: each task that got
/// a 200 ends once (success with a playable MP4, or fail with a refund), balances equal start
/// minus the cost of successful tasks, and nothing answered with a non-200 exists or was charged.
/// Every request carries an X-Request-ID and is retried on a broken connection, as a real
/// client would, so each logical request ends with a definite answer.
/// </summary>
public sealed class ChaosRun(ChaosSettings settings, ServerProcess server, TextWriter output, ServerProcess? worker = null, Func<IEnumerable<Outcome>, IEnumerable<string>, ChaosReport>? databaseCheck = null)
{
    private const string AdminKey = "chaos-admin-key-0123456789";
    private static readonly string[] Words = ["forest", "neon", "ocean", "sunset", "rain", "city", "glass", "orbit", "slow", "drone", "snow", "night", "lab", "river"];
    private readonly ConcurrentDictionary<string, Outcome> _outcomes = new();
    private readonly List<Account> _accounts = [];
    private volatile bool _serverUp;
    private int _kills;
    private int _workerKills;

    public static string Admin => AdminKey;

    /// <summary>What the run is doing now, for the report when it does not finish in time.</summary>
    public string Phase { get; private set; } = "starting the nodes";

    public async Task<int> RunAsync()
    {
        var watch = Stopwatch.StartNew();
        await server.StartAsync(TimeSpan.FromSeconds(60));
        _serverUp = true;
        if (worker is not null)
        {
            await worker.StartAsync(TimeSpan.FromSeconds(60));
        }

        Phase = "creating accounts";
        using var admin = Client(AdminKey);
        var random = new Random(settings.Seed);
        for (var i = 0; i < settings.Accounts; i++)
        {
            // The last account is short of credits, so 402s are part of the mix.
            var credits = i == settings.Accounts - 1 ? 2_000L : 1_000_000L;
            var acc = await RetryAsync(() => admin.PostAsJsonAsync("/api/admin/accounts", new { name = $"chaos{i}", credits }));
            var accountId = (string)(await acc.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["accountId"]!;
            var key = await RetryAsync(() => admin.PostAsJsonAsync($"/api/admin/accounts/{accountId}/keys", new { name = "chaos", tier = "unlimited" }));
            _accounts.Add(new Account(accountId, (string)(await key.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["apiKey"]!, credits));
        }

        Phase = "sending tasks while killing nodes";
        using var stop = new CancellationTokenSource();
        var killer = KillLoopAsync(new Random(settings.Seed + 1), stop.Token);
        var next = -1;
        var clients = Enumerable.Range(0, settings.Clients).Select(c => Task.Run(async () =>
        {
            var r = new Random(settings.Seed * 100 + c);
            int n;
            var pause = Math.Max(1, settings.LoadSeconds * 1000 * settings.Clients / settings.Tasks);
            while ((n = Interlocked.Increment(ref next)) < settings.Tasks)
            {
                await OneRequestAsync(n, r);
                await Task.Delay(r.Next(2 * pause));
            }
        })).ToList();
        await Task.WhenAll(clients);

        // Keep killing while the backlog is generated (kills during renders, uploads and refunds),
        // until the minimum number of kills is reached.
        Phase = "killing until the minimum number of kills";
        var killDeadline = DateTime.UtcNow.AddMinutes(5);
        while (Volatile.Read(ref _kills) < settings.MinKills && DateTime.UtcNow < killDeadline)
        {
            await Task.Delay(200);
        }

        await stop.CancelAsync();
        await killer;
        if (!_serverUp)
        {
            await server.StartAsync(TimeSpan.FromSeconds(60));
            _serverUp = true;
        }

        if (worker is not null && !worker.IsRunning)
        {
            await worker.StartAsync(TimeSpan.FromSeconds(60));
        }

        Phase = "waiting for every task to end, then verifying";
        var report = await VerifyAsync();
        Phase = "checking the database";
        server.Kill();
        worker?.Kill();
        report.Merge(databaseCheck is not null
            ? databaseCheck(_outcomes.Values, _accounts.Select(a => a.AccountId))
            : DatabaseCheck.Run(Path.Combine(settings.DataDirectory, "reelgate.db"), _outcomes.Values, _accounts.Select(a => a.AccountId)));
        var kills = worker is null ? $"{_kills}" : $"{_kills} (api {_kills - _workerKills}, worker {_workerKills})";
        output.WriteLine($"chaos: tasks={report.Tasks} kills={kills} lost={report.Lost} double-charged={report.DoubleCharged} stuck={report.Stuck} " +
            $"unrefunded={report.Unrefunded} bad-video={report.BadVideo} balance-mismatch={report.BalanceMismatch} phantom={report.Phantom} " +
            $"replay-mismatch={report.ReplayMismatch} seed={settings.Seed} seconds={watch.Elapsed.TotalSeconds:0}");
        foreach (var problem in report.Problems.Take(20))
        {
            output.WriteLine("  " + problem);
        }

        if (report.Kills(_kills) < settings.MinKills)
        {
            output.WriteLine($"chaos: only {_kills} kills happened (wanted {settings.MinKills}); the run was too short to prove anything");
            return 1;
        }

        return report.Ok ? 0 : 1;
    }

    private async Task OneRequestAsync(int n, Random r)
    {
        var account = _accounts[r.Next(_accounts.Count)];
        var roll = r.NextDouble();
        var prompt = string.Join(' ', Enumerable.Range(0, 4 + r.Next(6)).Select(_ => Words[r.Next(Words.Length)]));
        var nsfw = roll < 0.1;
        var invalid = roll is >= 0.1 and < 0.15;
        var input = new JsonObject
        {
            ["prompt"] = nsfw ? "a nude " + prompt : prompt,
            ["resolution"] = r.NextDouble() < 0.8 ? "480p" : "720p",
            ["duration"] = invalid ? 3 : 4 + r.Next(2),
            ["ratio"] = new[] { "16:9", "9:16", "1:1", "21:9" }[r.Next(4)],
            ["generate_audio"] = r.NextDouble() < 0.3,
            ["nsfw_checker"] = nsfw,
            ["seed"] = r.Next(1000),
        };
        var body = new JsonObject { ["model"] = "seedance-2.0-text-to-video", ["input"] = input }.ToJsonString();
        var requestId = $"chaos-{settings.Seed}-{n}";
        var (status, taskId) = await SendUntilAnsweredAsync(account, body, requestId);
        var rate = (string)input["resolution"]! == "480p" ? 20 : 40;
        var outcome = new Outcome(requestId, account.AccountId, status, taskId, rate * (int)input["duration"]!, nsfw);
        _outcomes[requestId] = outcome;

        if (status == 200 && r.NextDouble() < 0.15)
        {
            // A client retry of a request that already succeeded: same task, no second charge.
            var (again, againId) = await SendUntilAnsweredAsync(account, body, requestId);
            if (again != 200 || againId != taskId)
            {
                _outcomes[requestId] = outcome with { ReplayMismatch = true };
            }
        }
    }

    private async Task<(int Status, string? TaskId)> SendUntilAnsweredAsync(Account account, string body, string requestId)
    {
        using var client = Client(account.ApiKey);
        while (true)
        {
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/jobs/createTask") { Content = content };
                request.Headers.Add("X-Request-ID", requestId);
                using var response = await client.SendAsync(request);
                var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                var status = (int)response.StatusCode;
                if (status >= 500)
                {
                    await Task.Delay(100);
                    continue;
                }

                return (status, status == 200 ? (string)json["data"]!["taskId"]! : null);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or IOException)
            {
                // The server died under us: the outcome is unknown until the retry answers.
                await Task.Delay(100);
            }
        }
    }

    private async Task KillLoopAsync(Random r, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(settings.MinUptimeMs + r.Next(settings.MaxExtraUptimeMs)), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // With separate nodes, either the API node or the worker node dies.
            var victim = worker is not null && r.Next(2) == 1 ? worker : server;
            if (victim == server)
            {
                _serverUp = false;
            }

            victim.Kill();
            Interlocked.Increment(ref _kills);
            if (victim == worker)
            {
                Interlocked.Increment(ref _workerKills);
            }

            await Task.Delay(r.Next(300));
            await victim.StartAsync(TimeSpan.FromSeconds(60));
            if (victim == server)
            {
                _serverUp = true;
            }
        }
    }

    private async Task<ChaosReport> VerifyAsync()
    {
        var report = new ChaosReport();
        var accepted = _outcomes.Values.Where(o => o.Status == 200).ToList();
        report.Tasks = accepted.Count;
        report.ReplayMismatch = _outcomes.Values.Count(o => o.ReplayMismatch);
        var ended = await WaitForEndsAsync(accepted, report);
        var successCost = new Dictionary<string, long>();
        foreach (var o in accepted)
        {
            if (!ended.TryGetValue(o.TaskId!, out var data))
            {
                continue;
            }

            var state = (string)data["state"]!;
            if (state == "waiting")
            {
                report.Stuck++;
                report.Problems.Add($"stuck: {o.TaskId} still waiting although no task ended for {settings.StallLimit}");
            }
            else if (state == "success")
            {
                successCost[o.AccountId] = successCost.GetValueOrDefault(o.AccountId) + o.Cost;
                if (o.Nsfw)
                {
                    report.Problems.Add($"policy: {o.TaskId} had a policy term with the checker on but succeeded");
                    report.BadVideo++;
                }

                var url = (string)JsonNode.Parse((string)data["resultJson"]!)!["resultUrls"]![0]!;
                if (!await IsPlayableMp4Async(url))
                {
                    report.BadVideo++;
                    report.Problems.Add($"bad video: {o.TaskId}");
                }
            }
            else if ((long)data["creditsConsumed"]! != 0)
            {
                report.Unrefunded++;
                report.Problems.Add($"unrefunded: {o.TaskId} failed ({data["failCode"]}) but creditsConsumed is {data["creditsConsumed"]}");
            }
        }

        foreach (var account in _accounts)
        {
            using var client = Client(account.ApiKey);
            var balance = (long)(await (await RetryAsync(() => client.GetAsync("/api/v1/chat/credit"))).Content.ReadFromJsonAsync<JsonObject>())!["data"]!;
            var expected = account.Start - successCost.GetValueOrDefault(account.AccountId);
            if (balance != expected && report.Stuck == 0)
            {
                report.BalanceMismatch++;
                report.Problems.Add($"balance: {account.AccountId} has {balance}, expected {expected}");
            }
        }

        using var admin = Client(AdminKey);
        var audit = (await (await RetryAsync(() => admin.GetAsync("/api/admin/audit"))).Content.ReadFromJsonAsync<JsonObject>())!;
        if (!(bool)audit["data"]!["ok"]!)
        {
            report.BalanceMismatch++;
            report.Problems.Add("audit: " + audit.ToJsonString());
        }

        return report;
    }

    /// <summary>
    /// Polls every accepted task until it leaves waiting. The queue drains at the renderer's
    /// pace, so a task counts as stuck only when no task at all has ended for
    /// <see cref="ChaosSettings.StallLimit"/> (well above the lease) while it still waits.
    /// </summary>
    private async Task<Dictionary<string, JsonObject>> WaitForEndsAsync(List<Outcome> accepted, ChaosReport report)
    {
        var results = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var pending = accepted.ToList();
        var lastProgress = DateTime.UtcNow;
        while (pending.Count > 0)
        {
            var still = new List<Outcome>();
            foreach (var o in pending)
            {
                var account = _accounts.First(a => a.AccountId == o.AccountId);
                using var client = Client(account.ApiKey);
                var response = await RetryAsync(() => client.GetAsync($"/api/v1/jobs/recordInfo?taskId={o.TaskId}"));
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    report.Lost++;
                    report.Problems.Add($"lost: {o.TaskId} answered 200 but recordInfo says 404");
                    continue;
                }

                var data = (await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]!.AsObject();
                results[o.TaskId!] = data;
                if ((string)data["state"]! == "waiting")
                {
                    still.Add(o);
                }
            }

            if (still.Count < pending.Count)
            {
                lastProgress = DateTime.UtcNow;
            }
            else if (DateTime.UtcNow - lastProgress > settings.StallLimit)
            {
                break;
            }

            pending = still;
            if (pending.Count > 0)
            {
                await Task.Delay(500);
            }
        }

        return results;
    }

    private async Task<bool> IsPlayableMp4Async(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var bytes = await http.GetByteArrayAsync(url);
        var file = Path.Combine(settings.DataDirectory, "probe.mp4");
        await File.WriteAllBytesAsync(file, bytes);
        var psi = new ProcessStartInfo("/usr/bin/ffprobe", ["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", file]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var streams = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return p.ExitCode == 0 && streams.Contains("h264", StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> RetryAsync(Func<Task<HttpResponseMessage>> call)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                var response = await call();
                if ((int)response.StatusCode < 500 || i >= 600)
                {
                    return response;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && i < 600)
            {
                // Restarting.
            }

            await Task.Delay(100);
        }
    }

    private HttpClient Client(string bearer)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    private sealed record Account(string AccountId, string ApiKey, long Start);
}
