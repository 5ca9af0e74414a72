using Microsoft.Data.Sqlite;
using Reelgate.Core.Tasks;

namespace Reelgate.Data.Sqlite;

/// <summary>The tasks table's column list and its mapping to <see cref="TaskRecord"/>.</summary>
internal static class TaskRows
{
    public const string Columns =
        "id, account_id, key_id, model, state, param, input, cost, seed, callback_url, result_key, fail_code, fail_msg, " +
        "create_time, start_time, complete_time, update_time, progress, attempts, lease_token, thumbnail_key, base_url";

    private const string SelectById = "SELECT " + Columns + " FROM tasks WHERE id = $id";

    public static TaskRecord Read(SqliteDataReader r) => new()
    {
        TaskId = r.GetString(0),
        AccountId = r.GetString(1),
        KeyId = r.GetString(2),
        Model = r.GetString(3),
        State = r.GetString(4),
        Param = r.GetString(5),
        Input = r.GetString(6),
        Cost = r.GetInt64(7),
        Seed = r.GetInt64(8),
        CallBackUrl = r.IsDBNull(9) ? null : r.GetString(9),
        ResultKey = r.IsDBNull(10) ? null : r.GetString(10),
        FailCode = r.IsDBNull(11) ? null : r.GetString(11),
        FailMsg = r.IsDBNull(12) ? null : r.GetString(12),
        CreateTime = r.GetInt64(13),
        StartTime = r.IsDBNull(14) ? null : r.GetInt64(14),
        CompleteTime = r.IsDBNull(15) ? null : r.GetInt64(15),
        UpdateTime = r.GetInt64(16),
        Progress = r.GetInt32(17),
        Attempts = r.GetInt32(18),
        Running = !r.IsDBNull(19),
        ThumbnailKey = r.IsDBNull(20) ? null : r.GetString(20),
        BaseUrl = r.IsDBNull(21) ? null : r.GetString(21),
    };

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
