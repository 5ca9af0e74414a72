using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary><c>reelgate-server audit</c> checks balance == sum(ledger) for every account and names the ones that break it.</summary>
public sealed class AuditCommandTests
{
    [Fact]
    public async Task Audit_PassesOnAHealthyDatabase_AndNamesTheAccountWhoseBalanceWasTamperedWith()
    {
        var dir = Path.Combine(Path.GetTempPath(), "reelgate-test-" + Guid.NewGuid().ToString("N"));
        string tampered;
        await using (var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" }, dataDirectory: dir))
        {
            server.KeepDataDirectory = true;
            var (_, _, key) = await server.CreateAccountAsync(1000);
            (tampered, _, _) = await server.CreateAccountAsync(500);
            using var client = server.NewClient(key);
            await client.CreateTaskAsync(new { prompt = "audited", resolution = "480p", duration = 4 });
        }

        try
        {
            var (ok, okOutput) = await RunAuditAsync(dir);
            Assert.Equal(0, ok);
            Assert.Contains("audit: 2 account(s), 0 broken", okOutput, StringComparison.Ordinal);

            // A balance changed behind the ledger's back (the ledger itself refuses updates).
            await using (var conn = new SqliteConnection($"Data Source={Path.Combine(dir, "reelgate.db")};Pooling=False"))
            {
                await conn.OpenAsync(TestContext.Current.CancellationToken);
                using var cmd = conn.CreateCommand();
                cmd.CommandText = "UPDATE accounts SET credits = credits + 1 WHERE id = $id";
                cmd.Parameters.AddWithValue("$id", tampered);
                Assert.Equal(1, await cmd.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
                cmd.CommandText = "DELETE FROM ledger";
                await Assert.ThrowsAsync<SqliteException>(() => cmd.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
            }

            var (broken, brokenOutput) = await RunAuditAsync(dir);
            Assert.Equal(1, broken);
            Assert.Contains($"BROKEN {tampered}: balance 501, ledger sum 500", brokenOutput, StringComparison.Ordinal);

            // Ledger rows whose sum is beyond a long (SQLite's SUM raised "integer overflow", and the
            // audit with it): the command and the admin call still answer, with the exact sum.
            await using (var conn = new SqliteConnection($"Data Source={Path.Combine(dir, "reelgate.db")};Pooling=False"))
            {
                await conn.OpenAsync(TestContext.Current.CancellationToken);
                using var cmd = conn.CreateCommand();
                cmd.CommandText = "INSERT INTO ledger (account_id, amount, kind, reason, created_at) VALUES ($id, 9223372036854775807, 'adjust', 'forced', 1), ($id, 9223372036854775807, 'adjust', 'forced', 1)";
                cmd.Parameters.AddWithValue("$id", tampered);
                await cmd.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }

            var (overflowed, overflowOutput) = await RunAuditAsync(dir);
            Assert.Equal(1, overflowed);
            Assert.Contains($"BROKEN {tampered}: balance 501, ledger sum 18446744073709552114", overflowOutput, StringComparison.Ordinal);
            await using var again = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Workers"] = "0" }, dataDirectory: dir);
            again.KeepDataDirectory = true;
            var (status, audit, _) = await again.Admin.GetJsonAsync("/api/admin/audit");
            Assert.Equal(System.Net.HttpStatusCode.OK, status);
            Assert.False((bool)audit["data"]!["ok"]!);
            Assert.Equal("18446744073709552114", audit["data"]!["broken"]![0]!["ledgerSum"]!.ToJsonString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<(int Exit, string Output)> RunAuditAsync(string dataDirectory)
    {
        var psi = new ProcessStartInfo("dotnet", [typeof(ReelgateHost).Assembly.Location, "audit"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["Reelgate__DataDirectory"] = dataDirectory;
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (p.ExitCode, output);
    }
}
