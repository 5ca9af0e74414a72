using Microsoft.Data.Sqlite;
using Reelgate.Core.Tasks;

namespace Reelgate.Data.Sqlite;

/// <summary>The tasks table's column list and its mapping to <see cref="TaskRecord"/>.</summary>
internal static class TaskRows
{
    public const string Columns = TaskColumns.List;

    private const string SelectById = "SELECT " + Columns + " FROM tasks WHERE id = $id";

    public static TaskRecord Read(SqliteDataReader r) => TaskColumns.Read(r);

    public static async Task<TaskRecord?> GetAsync(SqliteConnection conn, SqliteTransaction? tx, string taskId, CancellationToken ct)
    {
        using var cmd = Command(conn, tx, SelectById, ("$id", taskId));
        using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    public static SqliteCommand Command(SqliteConnection conn, SqliteTransaction? tx, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = PreparedCommands.Get(conn, sql) ?? conn.CreateCommand();
        cmd.Transaction = tx;
        if (cmd.CommandText != sql)
        {
            cmd.CommandText = sql;
        }

        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return cmd;
    }

    /// <summary>The error of the credit-bound triggers of migration 0008: a balance above <see cref="Reelgate.Core.Accounts.Credits.MaxBalance"/> or not a whole number.</summary>
    public static bool IsCreditBound(SqliteException e) =>
        e.SqliteErrorCode == 19 && e.Message.Contains("credits must be a whole number of at most", StringComparison.Ordinal);

    /// <summary>Appends a ledger row and moves the balance by the same amount (the ledger rule).</summary>
    public static async Task<bool> PostAsync(SqliteConnection conn, SqliteTransaction tx, string accountId, long amount, string kind, string reason, string? taskId, long now, CancellationToken ct)
    {
        // The WHERE keeps the balance non-negative even if a caller forgot to check first.
        using (var upd = Command(conn, tx,
            "UPDATE accounts SET credits = credits + $amount, updated_at = $now WHERE id = $account AND credits + $amount >= 0",
            ("$amount", amount), ("$now", now), ("$account", accountId)))
        {
            if (await upd.ExecuteNonQueryAsync(ct) != 1)
            {
                return false;
            }
        }

        using var ins = Command(conn, tx,
            "INSERT INTO ledger (account_id, amount, kind, reason, task_id, created_at) VALUES ($account, $amount, $kind, $reason, $task, $now)",
            ("$account", accountId), ("$amount", amount), ("$kind", kind), ("$reason", reason), ("$task", taskId), ("$now", now));
        await ins.ExecuteNonQueryAsync(ct);
        return true;
    }
}
