using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Reelgate.Data.Sqlite;

/// <summary>
/// Checks a Reelgate SQLite file that no server uses (a fresh backup, a file about to be
/// restored): <c>PRAGMA integrity_check</c>, a schema version, and the ledger rules that every
/// committed transaction keeps, so a copy that breaks them is not a consistent snapshot:
/// balance == sum(ledger) for every account, every charged task has its charge entry, and only
/// failed tasks have refunds.
/// </summary>
public static class SqliteFileCheck
{
    // The tables whose rows are never deleted: a snapshot taken between two counts of the live
    // database holds at least the first count and at most the second. Constant SQL per table
    // (identifiers cannot be parameters; nothing is built from values).
    private static readonly (string Table, string CountSql)[] Counted =
    [
        ("accounts", "SELECT COUNT(*) FROM accounts"),
        ("api_keys", "SELECT COUNT(*) FROM api_keys"),
        ("tasks", "SELECT COUNT(*) FROM tasks"),
        ("ledger", "SELECT COUNT(*) FROM ledger"),
        ("callback_deliveries", "SELECT COUNT(*) FROM callback_deliveries"),
        ("callback_attempts", "SELECT COUNT(*) FROM callback_attempts"),
        ("engine_attempts", "SELECT COUNT(*) FROM engine_attempts"),
    ];

    public static async Task<SqliteFileReport> RunAsync(string path, CancellationToken ct)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            await using var conn = Open(path, SqliteOpenMode.ReadWrite);
            await conn.OpenAsync(ct);
            var integrity = new List<string>();
            using (var cmd = conn.CreateCommand())
            {
                cmd.CommandText = "PRAGMA integrity_check";
                using var r = await cmd.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct) && integrity.Count < 5)
                {
                    integrity.Add(r.GetString(0));
                }
            }

            if (integrity is not ["ok"])
            {
                return new SqliteFileReport("integrity check failed: " + string.Join("; ", integrity), 0, counts);
            }

            using var tx = conn.BeginTransaction(deferred: true);
            var version = await SchemaVersionAsync(conn, tx, ct);
            if (version is null)
            {
                return new SqliteFileReport("not a Reelgate database (no schema_version table)", 0, counts);
            }

            foreach (var (table, n) in await CountRowsAsync(conn, tx, ct))
            {
                counts[table] = n;
            }

            var broken = await LongAsync(conn, tx, "SELECT COUNT(*) FROM accounts a LEFT JOIN " + LedgerSums.PerAccount + " s ON s.account_id = a.id WHERE a.credits <> " + LedgerSums.CombinedSql, ct);
            if (broken > 0)
            {
                return new SqliteFileReport($"ledger audit failed: {broken} account(s) whose balance is not the sum of their ledger", version.Value, counts);
            }

            var unbilled = await LongAsync(conn, tx, "SELECT COUNT(*) FROM tasks t WHERE t.cost > 0 AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.task_id = t.id AND l.kind = 'charge')", ct);
            var refunded = await LongAsync(conn, tx, "SELECT COUNT(*) FROM ledger l WHERE l.kind = 'refund' AND l.task_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = l.task_id AND t.state = 'fail')", ct);
            if (unbilled > 0 || refunded > 0)
            {
                return new SqliteFileReport($"ledger audit failed: {unbilled} task(s) without their charge, {refunded} refund(s) of tasks that did not fail", version.Value, counts);
            }

            return new SqliteFileReport(null, version.Value, counts);
        }
        catch (SqliteException e)
        {
            // SQLITE_NOTADB, SQLITE_CORRUPT and friends: the file is not a usable database.
            return new SqliteFileReport($"cannot read it as a SQLite database ({e.Message})", 0, counts);
        }
    }

    /// <summary>The highest applied migration, or null when the file has no schema_version table.</summary>
    public static async Task<int?> SchemaVersionAsync(SqliteConnection conn, SqliteTransaction? tx, CancellationToken ct)
    {
        if (await LongAsync(conn, tx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'", ct) == 0)
        {
            return null;
        }

        return (int)await LongAsync(conn, tx, "SELECT COALESCE(MAX(version), 0) FROM schema_version", ct);
    }

    /// <summary>Row counts of the append-only tables present in the database.</summary>
    public static async Task<IReadOnlyList<(string Table, long Rows)>> CountRowsAsync(SqliteConnection conn, SqliteTransaction? tx, CancellationToken ct)
    {
        var list = new List<(string, long)>();
        foreach (var (table, countSql) in Counted)
        {
            if (await LongAsync(conn, tx, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $name", ct, table) == 1)
            {
                list.Add((table, await LongAsync(conn, tx, countSql, ct)));
            }
        }

        return list;
    }

    /// <summary>
    /// A connection of its own (no pool, so closing it really closes the file) with a busy
    /// timeout: a server's checkpoint can hold a lock on the file for a moment.
    /// </summary>
    public static SqliteConnection Open(string path, SqliteOpenMode mode) =>
        new(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false, DefaultTimeout = 30 }.ToString());

    private static async Task<long> LongAsync(SqliteConnection conn, SqliteTransaction? tx, string sql, CancellationToken ct, string? name = null)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        if (name is not null)
        {
            cmd.Parameters.AddWithValue("$name", name);
        }

        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }
}
