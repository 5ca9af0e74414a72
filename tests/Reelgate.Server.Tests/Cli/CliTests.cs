using System.Diagnostics;
using System.Text.Json.Nodes;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests.Cli;

/// <summary>The <c>reelgate</c> CLI run as a real process against a live server.</summary>
public sealed class CliTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string[] Args(ReelgateTestServer server, string key, params string[] rest) =>
        ["--base-url", server.BaseAddress.ToString(), "--api-key", key, .. rest];

    [Fact]
    public async Task Generate_Json_DownloadsTheVideo_AndReportsTheCreditsSpent()
    {
        await using var server = await ReelgateTestServer.StartAsync();
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        var dir = Directory.CreateTempSubdirectory("reelgate-cli-").FullName;
        try
        {
            var run = await CliRunner.RunAsync(Args(server, key, "generate", "a paper boat on a pond", "--ratio", "9:16", "--resolution", "480p", "--duration", "4", "--audio", "--seed", "7", "-o", Path.Combine(dir, "out.mp4"), "--json"));

            Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
            var json = run.Json;
            Assert.Equal("success", (string?)json["state"]);
            Assert.Equal(Path.Combine(dir, "out.mp4"), (string?)json["path"]);
            Assert.Equal(7, (long)json["seed"]!);
            var bytes = await File.ReadAllBytesAsync(Path.Combine(dir, "out.mp4"), Ct);
            Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(bytes, 4, 4));
            var credits = await CliRunner.RunAsync(Args(server, key, "credits", "--json"));
            Assert.Equal(100_000 - (long)json["creditsConsumed"]!, (long)credits.Json["credits"]!);
            Assert.DoesNotContain("\u001b", run.Stdout + run.Stderr, StringComparison.Ordinal); // no progress bar off a terminal
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Status_List_Cancel_Models_Credits_ParseAsJson()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(50_000);
        // Held by the scripted engine: the CLI waits until the cancel below ends the task.
        var generating = CliRunner.RunAsync(Args(server, key, "generate", "[hold] long one", "--resolution", "480p", "--duration", "4", "--json"));
        var list = (await CliRunner.RunAsync(Args(server, key, "list", "--json"))).Json;
        for (var i = 0; i < 100 && list["items"]!.AsArray().Count == 0; i++)
        {
            await Task.Delay(100, Ct);
            list = (await CliRunner.RunAsync(Args(server, key, "list", "--json"))).Json;
        }

        var id = (string)list["items"]![0]!["taskId"]!;
        var status = await CliRunner.RunAsync(Args(server, key, "status", id, "--json"));
        Assert.Equal(0, status.ExitCode);
        Assert.Equal("waiting", (string?)status.Json["state"]);

        var cancel = await CliRunner.RunAsync(Args(server, key, "cancel", id, "--json"));
        Assert.Equal(0, cancel.ExitCode);
        Assert.Equal("cancelled", (string?)cancel.Json["failCode"]);
        var again = await CliRunner.RunAsync(Args(server, key, "cancel", id));
        Assert.Equal(7, again.ExitCode);
        Assert.Contains("task already finished (409)", again.Stderr, StringComparison.Ordinal);

        var credits = await CliRunner.RunAsync(Args(server, key, "credits", "--json"));
        Assert.Equal(50_000, (long)credits.Json["credits"]!); // refunded
        var models = await CliRunner.RunAsync(Args(server, key, "models", "--json"));
        Assert.Contains(models.Json.AsArray(), m => (string?)m!["id"] == "seedance-2.0-text-to-video");
        var human = await CliRunner.RunAsync(Args(server, key, "list"));
        Assert.Contains(id, human.Stdout, StringComparison.Ordinal);
        var generated = await generating;
        Assert.Equal(9, generated.ExitCode); // the task it waited for failed (cancelled)
        Assert.Equal("cancelled", (string?)generated.Json["failCode"]);
    }

    [Fact]
    public async Task Errors_HaveClearMessages_AndDocumentedExitCodes()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(1);

        var noKey = await CliRunner.RunAsync(["--base-url", server.BaseAddress.ToString(), "credits"]);
        Assert.Equal(3, noKey.ExitCode);
        Assert.Contains("no API key", noKey.Stderr, StringComparison.Ordinal);

        var badKey = await CliRunner.RunAsync(Args(server, "sk-" + new string('b', 40), "credits"));
        Assert.Equal(3, badKey.ExitCode);
        Assert.Contains("authentication failed (401)", badKey.Stderr, StringComparison.Ordinal);

        var poor = await CliRunner.RunAsync(Args(server, key, "generate", "x", "--json"));
        Assert.Equal(4, poor.ExitCode);
        Assert.Equal(402, (int)poor.Json["error"]!["code"]!);

        var invalid = await CliRunner.RunAsync(Args(server, key, "generate", "x", "--duration", "99"));
        Assert.Equal(6, invalid.ExitCode);
        Assert.Contains("duration", invalid.Stderr, StringComparison.Ordinal);

        var missing = await CliRunner.RunAsync(Args(server, key, "status", "task_0000000000000000deadbeefdeadbeef"));
        Assert.Equal(5, missing.ExitCode);
        Assert.Contains("task not found (404)", missing.Stderr, StringComparison.Ordinal);

        var usage = await CliRunner.RunAsync(Args(server, key, "generate"));
        Assert.Equal(2, usage.ExitCode);

        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var down = await CliRunner.RunAsync(["--base-url", $"http://127.0.0.1:{port}", "--api-key", key, "credits"]);
        Assert.Equal(10, down.ExitCode);
        Assert.Contains("cannot reach the server", down.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_ComeFromFlags_OverEnvironment_OverTheConfigFile()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, rich) = await server.CreateAccountAsync(777);
        var (_, _, poor) = await server.CreateAccountAsync(5);
        var config = Path.Combine(Path.GetTempPath(), $"reelgate-cli-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, new JsonObject { ["baseUrl"] = server.BaseAddress.ToString(), ["apiKey"] = rich }.ToJsonString(), Ct);
        try
        {
            var fromFile = await CliRunner.RunAsync(["credits", "--config", config]);
            Assert.Equal("777", fromFile.Stdout.Trim());
            var envWins = await CliRunner.RunAsync(["credits"], new Dictionary<string, string?> { ["REELGATE_CONFIG"] = config, ["REELGATE_API_KEY"] = poor });
            Assert.Equal("5", envWins.Stdout.Trim());
            var flagWins = await CliRunner.RunAsync(["credits", "--api-key", rich], new Dictionary<string, string?> { ["REELGATE_CONFIG"] = config, ["REELGATE_API_KEY"] = poor });
            Assert.Equal("777", flagWins.Stdout.Trim());
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task Admin_CreatesAnAccount_FundsIt_MakesAKey_AndAudits()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var env = new Dictionary<string, string?> { ["REELGATE_BASE_URL"] = server.BaseAddress.ToString(), ["REELGATE_ADMIN_KEY"] = ReelgateTestServer.AdminKey };

        var account = await CliRunner.RunAsync(["admin", "accounts", "create", "--name", "cli", "--credits", "100", "--json"], env);
        Assert.True(account.ExitCode == 0, account.Stderr);
        var id = (string)account.Json["accountId"]!;
        var topUp = await CliRunner.RunAsync(["admin", "credits", id, "250", "--reason", "cli test", "--json"], env);
        Assert.Equal(350, (long)topUp.Json["credits"]!);
        var tooMuch = await CliRunner.RunAsync(["admin", "credits", id, "-1000"], env);
        Assert.Equal(4, tooMuch.ExitCode);
        var key = await CliRunner.RunAsync(["admin", "keys", "create", id, "--tier", "pro", "--name", "ci"], env);
        var apiKey = key.Stdout.Trim();
        Assert.StartsWith("sk-", apiKey, StringComparison.Ordinal);
        var credits = await CliRunner.RunAsync(["credits"], new Dictionary<string, string?>(env) { ["REELGATE_API_KEY"] = apiKey });
        Assert.Equal("350", credits.Stdout.Trim());
        var audit = await CliRunner.RunAsync(["admin", "audit"], env);
        Assert.Equal(0, audit.ExitCode);
        Assert.StartsWith("ok:", audit.Stdout, StringComparison.Ordinal);
        var noAdmin = await CliRunner.RunAsync(["admin", "audit", "--admin-key", "wrong-admin-key-0123456789"], env);
        Assert.Equal(3, noAdmin.ExitCode);
    }

    [Fact]
    public async Task Quote_PricesWithoutCreating_AndUsage_SumsWhatWasSpent()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(10_000);

        var quote = await CliRunner.RunAsync(Args(server, key, "generate", "a priced boat", "--resolution", "480p", "--duration", "4", "--quote", "--json"));
        Assert.True(quote.ExitCode == 0, quote.Stderr);
        var credits = (long)quote.Json["credits"]!;
        Assert.Equal((10_000L, 10_000 - credits), ((long)quote.Json["balance"]!, (long)quote.Json["balanceAfter"]!));
        Assert.Equal("10000", (await CliRunner.RunAsync(Args(server, key, "credits"))).Stdout.Trim()); // nothing created or charged
        var dear = await CliRunner.RunAsync(Args(server, key, "generate", "a dear boat", "--resolution", "1080p", "--duration", "15", "--quote"));
        Assert.Equal(0, dear.ExitCode);
        Assert.Contains("credits; balance 10000 -> ", dear.Stdout);

        var run = await CliRunner.RunAsync(Args(server, key, "generate", "a priced boat", "--resolution", "480p", "--duration", "4", "--no-download", "--json"));
        Assert.True(run.ExitCode == 0, run.Stderr);
        var usage = await CliRunner.RunAsync(Args(server, key, "usage", "--group-by", "model", "--json"));
        Assert.True(usage.ExitCode == 0, usage.Stderr);
        Assert.Equal(credits, (long)usage.Json["total"]!["net"]!);
        Assert.Equal("seedance-2.0-text-to-video", (string)usage.Json["rows"]![0]!["group"]!);
        var human = await CliRunner.RunAsync(Args(server, key, "usage"));
        Assert.Contains("total", human.Stdout);
        var bad = await CliRunner.RunAsync(Args(server, key, "usage", "--from", "yesterday"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--from: 'yesterday' is not a UTC day written yyyy-MM-dd", bad.Stderr);
    }

    [Fact]
    public async Task Admin_KeyLimits_SetAtCreate_ShownByKey_ReplacedAndCleared()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" });
        var env = new Dictionary<string, string?> { ["REELGATE_BASE_URL"] = server.BaseAddress.ToString(), ["REELGATE_ADMIN_KEY"] = ReelgateTestServer.AdminKey };
        var (accountId, _, _) = await server.CreateAccountAsync(100);

        var created = await CliRunner.RunAsync(["admin", "keys", "create", accountId, "--tier", "pro", "--credit-limit", "50", "--credit-period", "day",
            "--allow-ip", "127.0.0.1", "--allow-ip", "::1", "--expires", "2099-01-01T00:00:00Z", "--json"], env);
        Assert.True(created.ExitCode == 0, created.Stderr);
        var (keyId, apiKey) = ((string)created.Json["keyId"]!, (string)created.Json["apiKey"]!);
        var asKey = new Dictionary<string, string?>(env) { ["REELGATE_API_KEY"] = apiKey };

        var self = await CliRunner.RunAsync(["key", "--json"], asKey);
        Assert.True(self.ExitCode == 0, self.Stderr);
        Assert.Equal((50L, "day", 50L, 4_070_908_800_000L), ((long)self.Json["creditLimit"]!, (string)self.Json["creditPeriod"]!, (long)self.Json["room"]!, (long)self.Json["expiresAt"]!));
        var human = await CliRunner.RunAsync(["key"], asKey);
        Assert.Contains("credit limit 50 per day; from 127.0.0.1/32, ::1/128; expires 2099-01-01 00:00:00Z", human.Stdout);
        Assert.Contains("spent 0 this day, 50 credits left", human.Stdout);

        var bad = await CliRunner.RunAsync(["admin", "keys", "limits", keyId, "--credit-limit", "5"], env);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("creditPeriod (day, month or total) is required with creditLimit", bad.Stderr);
        var notAllowed = await CliRunner.RunAsync(["admin", "keys", "limits", keyId, "--allow-ip", "203.0.113.0/24"], env);
        Assert.True(notAllowed.ExitCode == 0, notAllowed.Stderr);
        Assert.Equal("no credit limit; from 203.0.113.0/24; never expires", notAllowed.Stdout.Trim()); // every limit left out is cleared
        var refused = await CliRunner.RunAsync(["key"], asKey);
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("not allowed from 127.0.0.1", refused.Stderr);
        var cleared = await CliRunner.RunAsync(["admin", "keys", "limits", keyId, "--json"], env);
        Assert.Null(cleared.Json["allowedIps"]);
        Assert.Equal(0, (await CliRunner.RunAsync(["key"], asKey)).ExitCode);
    }

    [Fact]
    public async Task Generate_InTmux_RendersALiveProgressBar()
    {
        if (!File.Exists("/usr/bin/tmux"))
        {
            Assert.Fail("tmux is not installed (scripts/install-deps.sh installs it)");
        }

        var engine = default(ScriptedEngine);
        await using var server = await ReelgateTestServer.StartAsync(services: s => engine = ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        var session = "rg" + Guid.NewGuid().ToString("N")[..8];
        var dir = Directory.CreateTempSubdirectory("reelgate-tmux-").FullName;
        var command = $"dotnet {CliRunner.Dll} --base-url {server.BaseAddress} --api-key {key} generate '[hold] tmux bar' --resolution 480p --duration 4 -o {dir}/out.mp4; echo EXIT=$?; sleep 30";
        await Tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "20", command);
        try
        {
            // The scripted engine reports 10% and holds: the bar must show it live, with the state.
            var during = await CaptureUntilAsync(session, s => s.Contains("waiting", StringComparison.Ordinal) && s.Contains("10%", StringComparison.Ordinal));
            Assert.Contains("━", during, StringComparison.Ordinal);
            Assert.Contains("task_", during, StringComparison.Ordinal);
            engine!.Release();
            var after = await CaptureUntilAsync(session, s => s.Contains("EXIT=", StringComparison.Ordinal));
            Assert.Contains("EXIT=0", after, StringComparison.Ordinal);
            Assert.Contains("success", after, StringComparison.Ordinal);
            Assert.Contains("100%", after, StringComparison.Ordinal);
            Assert.Contains($"{dir}/out.mp4", after, StringComparison.Ordinal);
        }
        finally
        {
            await Tmux("kill-session", "-t", session);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<string> CaptureUntilAsync(string session, Func<string, bool> done)
    {
        var screen = "";
        for (var i = 0; i < 300; i++)
        {
            screen = await Tmux("capture-pane", "-p", "-t", session);
            if (done(screen))
            {
                return screen;
            }

            await Task.Delay(100, Ct);
        }

        Assert.Fail("tmux screen never showed what was expected:\n" + screen);
        return screen;
    }

    private static async Task<string> Tmux(params string[] args)
    {
        var psi = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["TERM"] = "xterm-256color";
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync(Ct);
        await p.WaitForExitAsync(Ct);
        return output;
    }
}
