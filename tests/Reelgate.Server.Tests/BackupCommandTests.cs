using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>
/// <c>reelgate-server backup</c> and <c>restore</c> as real processes: a backup taken while a
/// server is busy creating and ending tasks, restored into a new data directory and served
/// again with every task and a balanced ledger; a restore refused while a server runs.
/// </summary>
public sealed class BackupCommandTests
{
    private const long Credits = 1_000_000;
    private const long Cost = 80; // 480p, 4 s

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Backup_TakenUnderLoad_RestoresIntoANewDirectory_WithEveryTaskAndABalancedLedger()
    {
        var root = Directory.CreateTempSubdirectory("reelgate-backup-").FullName;
        var original = Path.Combine(root, "original");
        var restored = Path.Combine(root, "restored");
        var backup = Path.Combine(root, "reelgate-backup.db");
        var settings = new Dictionary<string, string?> { ["Reelgate:Workers"] = "4", ["Reelgate:Lease"] = "00:00:02" };
        try
        {
            var keys = new Dictionary<string, string>(StringComparer.Ordinal);
            var acknowledged = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
            HashSet<string> beforeBackup;
            await using (var server = await ReelgateTestServer.StartAsync(settings, s => ScriptedEngine.AddTo(s), original))
            {
                server.KeepDataDirectory = true;
                for (var a = 0; a < 4; a++)
                {
                    var (accountId, _, apiKey) = await server.CreateAccountAsync(Credits);
                    keys[accountId] = apiKey;
                }

                // Load: each account creates tasks back to back; every third one fails (refunded).
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                var load = keys.Values.Select(apiKey => Task.Run(async () =>
                {
                    using var client = server.NewClient(apiKey);
                    for (var i = 0; !stop.IsCancellationRequested; i++)
                    {
                        var (status, body, _) = await client.CreateTaskAsync(new { prompt = i % 3 == 0 ? $"load {i} [fail]" : $"load {i}", resolution = "480p", duration = 4 });
                        Assert.Equal(HttpStatusCode.OK, status);
                        acknowledged[(string)body["data"]!["taskId"]!] = true;
                        await Task.Delay(10, CancellationToken.None);
                    }
                })).ToList();

                while (acknowledged.Count < 40)
                {
                    await Task.Delay(20, Ct);
                }

                // Everything answered before the backup starts must be in it.
                beforeBackup = [.. acknowledged.Keys];
                var (exit, output, error) = await RunAsync(original, "backup", backup);
                Assert.True(exit == 0, error);
                Assert.StartsWith($"backup: wrote {backup} (schema version ", output, StringComparison.Ordinal);
                Assert.Contains("integrity ok, ledger balanced", output, StringComparison.Ordinal);

                var duringBackup = acknowledged.Count - beforeBackup.Count;
                await stop.CancelAsync();
                await Task.WhenAll(load);
                Assert.True(duringBackup > 0, "no task was created while the backup ran");

                // Result files are not in the database: copied after it (docs/backup.md).
                CopyDirectory(Path.Combine(original, "results"), Path.Combine(root, "results-copy"));
            }

            var inBackup = await ReadTasksAsync(backup);
            Assert.Subset(inBackup.Keys.ToHashSet(StringComparer.Ordinal), beforeBackup);
            TestContext.Current.TestOutputHelper?.WriteLine($"{inBackup.Count} task(s) in the backup ({inBackup.Values.Count(t => t.State == "waiting")} waiting), {beforeBackup.Count} answered before it started");
            Assert.Contains(inBackup.Values, t => t.State == "success");
            Assert.Contains(inBackup.Values, t => t.State == "fail");

            var (restoreExit, restoreOutput, restoreError) = await RunAsync(restored, "restore", backup);
            Assert.True(restoreExit == 0, restoreError);
            Assert.StartsWith($"restore: restored {backup} to {Path.Combine(restored, "reelgate.db")}", restoreOutput, StringComparison.Ordinal);
            CopyDirectory(Path.Combine(root, "results-copy"), Path.Combine(restored, "results"));

            await using (var server = await ReelgateTestServer.StartAsync(settings, s => ScriptedEngine.AddTo(s), restored))
            {
                server.KeepDataDirectory = true;

                // Never under a running server.
                var (refusedExit, _, refusedError) = await RunAsync(restored, "restore", backup);
                Assert.Equal(1, refusedExit);
                Assert.StartsWith("restore: refused: ", refusedError, StringComparison.Ordinal);

                // Every task of the backup is here, under the same key: ended ones as they ended,
                // waiting ones (queued or leased by the old server) run here to their end.
                var successes = new Dictionary<string, long>(StringComparer.Ordinal);
                string? downloaded = null;
                foreach (var (taskId, task) in inBackup)
                {
                    using var client = server.NewClient(keys[task.AccountId]);
                    var data = task.State == "waiting" ? await client.WaitForEndAsync(taskId, 30) : await client.RecordInfoAsync(taskId);
                    var expected = task.Prompt.Contains("[fail]", StringComparison.Ordinal) ? "fail" : "success";
                    Assert.Equal(expected, (string)data["state"]!);
                    if (task.State != "waiting")
                    {
                        Assert.Equal(task.State, (string)data["state"]!);
                    }

                    if (expected == "success")
                    {
                        successes[task.AccountId] = successes.GetValueOrDefault(task.AccountId) + 1;
                        if (task.State == "success" && downloaded is null)
                        {
                            // Its file came back with the copy of results/.
                            var url = (string)JsonNode.Parse((string)data["resultJson"]!)!["resultUrls"]![0]!;
                            using var anonymous = new HttpClient();
                            Assert.Equal("not really an mp4: " + taskId, await anonymous.GetStringAsync(url, Ct));
                            downloaded = taskId;
                        }
                    }
                }

                Assert.NotNull(downloaded);
                foreach (var (accountId, apiKey) in keys)
                {
                    using var client = server.NewClient(apiKey);
                    Assert.Equal(Credits - (Cost * successes.GetValueOrDefault(accountId)), await client.CreditsAsync());
                }

                await server.AssertAuditOkAsync();
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task BackupAndRestore_ExitTwo_OnBadUsage_AMissingDatabase_AndPostgres()
    {
        var dir = Path.Combine(Path.GetTempPath(), "reelgate-test-" + Guid.NewGuid().ToString("N"));

        var (exit, _, error) = await RunAsync(dir, "backup");
        Assert.Equal(2, exit);
        Assert.StartsWith("backup: usage: reelgate-server backup <file>", error, StringComparison.Ordinal);

        (exit, _, error) = await RunAsync(dir, "backup", Path.Combine(dir, "b.db"));
        Assert.Equal(2, exit);
        Assert.StartsWith($"backup: no database at {Path.Combine(dir, "reelgate.db")}", error, StringComparison.Ordinal);

        (exit, _, error) = await RunAsync(dir, "restore", "/nonexistent/backup.db");
        Assert.Equal(2, exit);
        Assert.StartsWith("restore: no backup file at /nonexistent/backup.db", error, StringComparison.Ordinal);

        // The connection string's password is never printed.
        const string Pg = "Host=db.internal;Port=5433;Username=reelgate;Password=hunter2-secret;Database=reelgate";
        (exit, var output, error) = await RunAsync(dir, "backup", "/backups/reelgate.db", "--ConnectionStrings:Reelgate", Pg);
        Assert.Equal(2, exit);
        Assert.Contains("pg_dump -Fc -h db.internal -p 5433 -U reelgate -d reelgate", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", output + error, StringComparison.Ordinal);

        (exit, output, error) = await RunAsync(dir, "restore", "reelgate.dump", "--ConnectionStrings:Reelgate", Pg);
        Assert.Equal(2, exit);
        Assert.Contains("pg_restore", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", output + error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));
    }

    private sealed record BackedUpTask(string AccountId, string State, string Prompt);

    private static async Task<Dictionary<string, BackedUpTask>> ReadTasksAsync(string backup)
    {
        await using var conn = new SqliteConnection($"Data Source={backup};Mode=ReadOnly;Pooling=False");
        await conn.OpenAsync(Ct);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT id, account_id, state, json_extract(input, '$.prompt') FROM tasks";
        using var r = await cmd.ExecuteReaderAsync(Ct);
        var tasks = new Dictionary<string, BackedUpTask>(StringComparer.Ordinal);
        while (await r.ReadAsync(Ct))
        {
            tasks[r.GetString(0)] = new BackedUpTask(r.GetString(1), r.GetString(2), r.GetString(3));
        }

        return tasks;
    }

    /// <summary>Runs the built reelgate-server with a command, the data directory set by environment.</summary>
    private static async Task<(int Exit, string Output, string Error)> RunAsync(string dataDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", [typeof(ReelgateHost).Assembly.Location, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["Reelgate__DataDirectory"] = dataDirectory;
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync(Ct);
        var error = p.StandardError.ReadToEndAsync(Ct);
        await p.WaitForExitAsync(Ct);
        return (p.ExitCode, (await output).Trim(), (await error).Trim());
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
