using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Reelgate.Core.Accounts;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Core.Tasks;
using Reelgate.Data.Sqlite;

namespace Reelgate.Data.Tests;

/// <summary>
/// Upgrading a database made by an older version: <c>Fixtures/schema-v5.db</c> (schema version 5,
/// realistic rows; see Fixtures/README.md) is copied to a temp directory and opened with today's
/// <see cref="SqliteDatabase.MigrateAsync"/>.
/// </summary>
public sealed class SchemaUpgradeTests : IDisposable
{
    private const string StudioAccount = "acc_0197741f6a4071c2b1d4a3e5f6071829";
    private const string StudioKey = "sk-Studio01abcdefghijklmnopqrstuvwxyz012345";
    private const string Succeeded = "task_1977420dfe8000003c1f5a9e27b4d680";
    private const string Retrying = "task_1977420e3d0000019e0b7d2c4f6a8e13";
    private const string Queued = "task_1977420eba0000035a7c9e1b3d5f7092";
    private const string Leased = "task_1977420ef8800004b6d8f0a2c4e6a1c3";
    private const long FixtureTime = 1_750_000_020_000;

    private readonly string _dir = Directory.CreateTempSubdirectory("reelgate-upgrade-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ModelCatalog Catalog = ModelCatalog.Load(Path.Combine(AppContext.BaseDirectory, "catalog", "models.json"));

    private static string Fixture => Path.Combine(AppContext.BaseDirectory, "Fixtures", "schema-v5.db");

    [Fact]
    public async Task MigrateAsync_UpgradesAVersion5Database_KeepingEveryRow_AndNewFeaturesWork()
    {
        var path = Path.Combine(_dir, "reelgate.db");
        File.Copy(Fixture, path);
        var before = await ReadAllTablesAsync(path, like: null);
        Assert.Equal(5, await VersionAsync(path));
        Assert.True(SqliteDatabase.NewestSchemaVersion > 5);

        await using (var db = new SqliteDatabase(path))
        {
            await db.MigrateAsync(Ct);
            Assert.Equal(SqliteDatabase.NewestSchemaVersion, db.SchemaVersion);

            // Every old table, every row, every old column: the same values, in the same order.
            Assert.Equal(Enumerable.Range(1, SqliteDatabase.NewestSchemaVersion).Select(v => (long)v), (await ReadAllTablesAsync(path, like: null))["schema_version"].Rows.Select(r => (long)r[0]!));
            var after = await ReadAllTablesAsync(path, like: before);
            Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
            foreach (var (table, (_, rows)) in before)
            {
                Assert.True(rows.Count > 0 || table.StartsWith("AspNetUser", StringComparison.Ordinal) || table == "AspNetRoleClaims", $"fixture table {table} is empty");
                // schema_version gains the new versions' rows; no other table gains or loses any.
                Assert.Equal(table == "schema_version" ? SqliteDatabase.NewestSchemaVersion : rows.Count, after[table].Rows.Count);
                for (var i = 0; i < rows.Count; i++)
                {
                    Assert.True(rows[i].SequenceEqual(after[table].Rows[i], CellComparer.Instance), $"{table} row {i} changed in the upgrade");
                }
            }

            // The stores read the old rows as they are.
            var accounts = new SqliteAccountStore(db);
            Assert.All(await accounts.AuditAsync(Ct), e => Assert.True(e.Ok, $"{e.AccountId}: balance {e.Balance}, ledger {e.LedgerSum}"));
            var studio = (await accounts.GetAccountAsync(StudioAccount, Ct))!;
            Assert.Equal(1100, studio.Credits);
            Assert.Equal([false, true], studio.Keys.Select(k => k.Revoked));
            var key = Assert.Single(await accounts.FindKeysByLookupAsync(StudioKey[..11], Ct));
            Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(StudioKey)), key.Hash);
            Assert.Equal("pro", key.Tier);

            var tasks = new SqliteTaskStore(db);
            var done = (await tasks.GetAsync(Succeeded, Ct))!;
            Assert.Equal(("success", $"{Succeeded}/video.mp4", $"{Succeeded}/thumb.jpg", "https://api.example.com"), (done.State, done.ResultKey, done.ThumbnailKey, done.BaseUrl));
            var retrying = Assert.Single(await new SqliteCallbackOutbox(db).ListByTaskAsync(Retrying, Ct));
            Assert.Equal(("pending", 2, 2), (retrying.State, retrying.Attempts, retrying.History.Count));

            // New features on the old rows: the queue claims the queued task (the leased one is
            // still under its lease), the engine-attempt journal of migration 0006 records it,
            // and it ends with its callback-free success.
            ITaskQueue queue = new SqliteTaskQueue(db);
            var claimed = (await queue.ClaimAsync("node-b:1", FixtureTime, TimeSpan.FromSeconds(30), 3, Ct))!;
            Assert.Equal(Queued, claimed.Task.TaskId);

            // The old task has no stored spec (migration 0009 adds the column empty); the worker's
            // fallback reads it from the input stored (validated) by the old version.
            Assert.Null(claimed.Task.Spec);
            Assert.True(Catalog.TryGet(claimed.Task.Model, out var model));
            var spec = StoredInput.Resolve(model, claimed.Task.Input, claimed.Task.Seed);
            Assert.Equal(
                new GenerationSpec("seedance-2.0-text-to-video", "A lighthouse keeper climbing spiral stairs by lantern light", "16:9", "480p", 864, 496, 24, 5, false, 31337, false),
                spec);
            Assert.Equal(claimed.Task.Cost, ModelCatalog.Price(model, spec!));
            var journal = new SqliteEngineAttempts(db);
            var attempt = await journal.BeginAsync(Queued, claimed.Attempt, "builtin", null, FixtureTime, Ct);
            await journal.EndAsync(attempt, AttemptOutcomes.Succeeded, null, null, null, FixtureTime + 5000, Ct);
            Assert.True(await queue.SucceedAsync(Queued, claimed.LeaseToken, $"{Queued}/video.mp4", $"{Queued}/thumb.jpg", FixtureTime + 5000, Ct));
            var recorded = Assert.Single(await journal.ListAsync(Queued, Ct));
            Assert.Equal((AttemptOutcomes.Succeeded, "builtin", 1), (recorded.Outcome, recorded.Engine, recorded.Claim));

            // The lease of the task that was generating expires; it is claimed again (attempt 2).
            var rescued = (await queue.ClaimAsync("node-b:1", 1_750_000_050_000, TimeSpan.FromSeconds(30), 3, Ct))!;
            Assert.Equal((Leased, 2), (rescued.Task.TaskId, rescued.Attempt));

            // A new task on an old key is charged by the same ledger.
            var newSpec = new GenerationSpec("seedance-2.0-text-to-video", "new on old", "1:1", "480p", 640, 640, 24, 5, false, 7, false) { ContentCheck = true };
            var created = await tasks.CreateAsync(new NewTask { TaskId = "task_upgrade_new", AccountId = StudioAccount, KeyId = key.KeyId, Model = "seedance-2.0-text-to-video", Param = "{}", Input = "{}", Spec = newSpec, Cost = 100, Seed = 7, Now = FixtureTime + 6000 }, Ct);
            Assert.Equal(CreateTaskStatus.Created, created.Status);
            Assert.Equal(1000, await accounts.GetBalanceAsync(StudioAccount, Ct));
            Assert.Equal(newSpec, (await tasks.GetAsync("task_upgrade_new", Ct))!.Spec);
        }

        // The whole file still keeps the ledger rules and SQLite's integrity.
        var report = await SqliteFileCheck.RunAsync(path, Ct);
        Assert.True(report.Ok, report.Problem);
        Assert.Equal(SqliteDatabase.NewestSchemaVersion, report.SchemaVersion);
    }

    [Fact]
    public async Task MigrateAsync_LeavesAnUpToDateDatabaseAsItIs()
    {
        var path = Path.Combine(_dir, "reelgate.db");
        File.Copy(Fixture, path);
        await using (var db = new SqliteDatabase(path))
        {
            await db.MigrateAsync(Ct);
        }

        var once = await ReadAllTablesAsync(path, like: null);
        await using (var db = new SqliteDatabase(path))
        {
            await db.MigrateAsync(Ct);
        }

        var twice = await ReadAllTablesAsync(path, like: null);
        Assert.Equal(Enumerable.Range(1, SqliteDatabase.NewestSchemaVersion).Select(v => (long)v), twice["schema_version"].Rows.Select(r => (long)r[0]!));
        Assert.Equal(once.Keys.Order(StringComparer.Ordinal), twice.Keys.Order(StringComparer.Ordinal));
        Assert.All(once, t => Assert.Equal(t.Value.Rows.Count, twice[t.Key].Rows.Count));
    }

    [Fact]
    public async Task MigrateAsync_CapsABalanceTheOverflowLeftAsAReal_WithALedgerRow_AndTheAccountWorksAgain()
    {
        // Issue 17 before the fix: long.MaxValue credits plus a top-up of 1 left credits a REAL
        // (SQLite's + overflows to floating point), top-ups answered 404 and the audit 500.
        var path = Path.Combine(_dir, "reelgate.db");
        File.Copy(Fixture, path);
        await using (var conn = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await conn.OpenAsync(Ct);
            using var cmd = conn.CreateCommand();
            cmd.CommandText =
                "INSERT INTO accounts (id, name, credits, disabled, created_at, updated_at) VALUES ('acc_overflowed', 'o', 0, 0, 1, 1);" +
                "INSERT INTO ledger (account_id, amount, kind, reason, created_at) VALUES ('acc_overflowed', 9223372036854775807, 'grant', 'initial credits', 1), ('acc_overflowed', 1, 'adjust', 'top-up', 2);" +
                "UPDATE accounts SET credits = credits + 9223372036854775807 WHERE id = 'acc_overflowed';" +
                "UPDATE accounts SET credits = credits + 1 WHERE id = 'acc_overflowed';";
            await cmd.ExecuteNonQueryAsync(Ct);
            cmd.CommandText = "SELECT typeof(credits) FROM accounts WHERE id = 'acc_overflowed'";
            Assert.Equal("real", await cmd.ExecuteScalarAsync(Ct));
        }

        await using (var db = new SqliteDatabase(path))
        {
            await db.MigrateAsync(Ct);
            var accounts = new SqliteAccountStore(db);
            Assert.Equal(Credits.MaxBalance, await accounts.GetBalanceAsync("acc_overflowed", Ct));
            var capped = (await accounts.LedgerAsync("acc_overflowed", null, 1, Ct))[0];
            Assert.Equal((Credits.MaxBalance - (decimal)long.MaxValue - 1, "adjust"), ((decimal)capped.Amount, capped.Kind));
            Assert.All(await accounts.AuditAsync(Ct), e => Assert.True(e.Ok, $"{e.AccountId}: balance {e.Balance}, ledger {e.LedgerSum}"));
            Assert.Equal(new CreditAdjustment(CreditAdjustStatus.Applied, Credits.MaxBalance - 5), await accounts.AdjustCreditsAsync("acc_overflowed", -5, "deduction", 3, Ct));
            Assert.Equal(CreditAdjustStatus.BalanceLimit, (await accounts.AdjustCreditsAsync("acc_overflowed", 6, "top-up", 4, Ct)).Status);
        }

        var report = await SqliteFileCheck.RunAsync(path, Ct);
        Assert.True(report.Ok, report.Problem);
    }

    /// <summary>
    /// Every table's columns and rows (rowid order); with <paramref name="like"/>, only the tables
    /// and columns it has (an upgrade may add columns and tables).
    /// </summary>
    private static async Task<Dictionary<string, TableRows>> ReadAllTablesAsync(string path, Dictionary<string, TableRows>? like)
    {
        await using var conn = new SqliteConnection($"Data Source={path};Pooling=False");
        await conn.OpenAsync(Ct);
        var result = new Dictionary<string, TableRows>(StringComparer.Ordinal);
        foreach (var table in like?.Keys.ToList() ?? await ListAsync(conn, "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence'"))
        {
            var columns = like?[table].Columns ?? await ListAsync(conn, $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid");
            using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT {string.Join(", ", columns.Select(c => $"\"{c}\""))} FROM \"{table}\" ORDER BY rowid";
            using var r = await cmd.ExecuteReaderAsync(Ct);
            var rows = new List<object?[]>();
            while (await r.ReadAsync(Ct))
            {
                var row = new object?[r.FieldCount];
                for (var i = 0; i < r.FieldCount; i++)
                {
                    row[i] = r.IsDBNull(i) ? null : r.GetValue(i);
                }

                rows.Add(row);
            }

            result[table] = new TableRows(columns, rows);
        }

        return result;
    }

    private static async Task<IReadOnlyList<string>> ListAsync(SqliteConnection conn, string sql)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        using var r = await cmd.ExecuteReaderAsync(Ct);
        var list = new List<string>();
        while (await r.ReadAsync(Ct))
        {
            list.Add(r.GetString(0));
        }

        return list;
    }

    private static async Task<long> VersionAsync(string path)
    {
        await using var conn = new SqliteConnection($"Data Source={path};Pooling=False");
        await conn.OpenAsync(Ct);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT MAX(version) FROM schema_version";
        return (long)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private sealed record TableRows(IReadOnlyList<string> Columns, List<object?[]> Rows);

    /// <summary>Cell equality: blobs by content, everything else by value.</summary>
    private sealed class CellComparer : IEqualityComparer<object?>
    {
        public static readonly CellComparer Instance = new();

        public new bool Equals(object? x, object? y) => x is byte[] a && y is byte[] b ? a.AsSpan().SequenceEqual(b) : object.Equals(x, y);

        public int GetHashCode(object? obj) => 0;
    }
}
