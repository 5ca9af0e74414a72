using Microsoft.Data.Sqlite;
using Reelgate.Core.Accounts;
using Reelgate.Core.Catalog;
using Reelgate.Core.Tasks;

namespace Reelgate.Data.Sqlite;

/// <summary>
/// The create transaction's SQL on SQLite (the order is <see cref="CreateTransaction"/>'s). Every
/// write goes through the single writer, so no lock is needed for racing creates to see each other.
/// </summary>
internal sealed class SqliteCreateSteps(SqliteConnection conn, SqliteTransaction tx) : ICreateTaskSteps
{
    public Task LockKeyAsync(NewTask task, CancellationToken ct) => Task.CompletedTask;

    public async Task<(string TaskId, string? RequestHash)?> FindRequestAsync(string keyId, string requestId, CancellationToken ct)
    {
        using var find = TaskRows.Command(conn, tx,
            "SELECT id, request_hash FROM tasks WHERE key_id = $key AND request_id = $rid", ("$key", keyId), ("$rid", requestId));
        using var r = await find.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)) : null;
    }

    public async Task<long> CountWaitingAsync(string keyId, CancellationToken ct)
    {
        using var count = TaskRows.Command(conn, tx, "SELECT COUNT(*) FROM tasks WHERE key_id = $key AND state = 'waiting'", ("$key", keyId));
        return (long)(await count.ExecuteScalarAsync(ct))!;
    }

    public async Task<long?> KeyRoomAsync(NewTask task, CancellationToken ct)
    {
        long limit;
        string period;
        using (var read = TaskRows.Command(conn, tx, "SELECT credit_limit, credit_period FROM api_keys WHERE id = $key AND credit_limit IS NOT NULL", ("$key", task.KeyId)))
        using (var r = await read.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct))
            {
                return null;
            }

            (limit, period) = (r.GetInt64(0), r.IsDBNull(1) ? "total" : r.GetString(1));
        }

        var since = KeyLimits.PeriodStart(KeyLimits.ParsePeriod(period) ?? KeyCreditPeriod.Total, task.Now);
        return limit - await KeySpentAsync(conn, tx, task.KeyId, since, ct);
    }

    /// <summary>
    /// The spend a key's credit limit counts: what its tasks created on UTC days from the one of
    /// <paramref name="since"/> cost, refunds given back (key_day_spend, kept by migration 12's triggers).
    /// </summary>
    internal static async Task<long> KeySpentAsync(SqliteConnection conn, SqliteTransaction? tx, string keyId, long since, CancellationToken ct)
    {
        using var sum = TaskRows.Command(conn, tx,
            "SELECT COALESCE(SUM(spent), 0) FROM key_day_spend WHERE key_id = $key AND day >= $day", ("$key", keyId), ("$day", KeyLimits.DayOf(since)));
        return (long)(await sum.ExecuteScalarAsync(ct))!;
    }

    public async Task<bool> InsertChargedAsync(NewTask t, CancellationToken ct)
    {
        // The charge first: the balance update refuses an overdraft, and the tasks insert trigger
        // (migration 0010) refuses a task whose charge is not already there.
        if (!await TaskRows.PostAsync(conn, tx, t.AccountId, -t.Cost, "charge", "task " + t.TaskId, t.TaskId, t.Now, ct))
        {
            return false;
        }

        using var insert = TaskRows.Command(conn, tx,
            "INSERT INTO tasks (id, account_id, key_id, model, state, param, input, spec, cost, seed, callback_url, base_url, request_id, request_hash, create_time, update_time) " +
            "VALUES ($id, $account, $key, $model, 'waiting', $param, $input, $spec, $cost, $seed, $cb, $base, $rid, $rhash, $now, $now)",
            ("$id", t.TaskId), ("$account", t.AccountId), ("$key", t.KeyId), ("$model", t.Model), ("$param", t.Param),
            ("$input", t.Input), ("$spec", t.Spec is null ? null : GenerationSpecJson.Serialize(t.Spec)), ("$cost", t.Cost), ("$seed", t.Seed),
            ("$cb", t.CallBackUrl), ("$base", t.BaseUrl), ("$rid", t.RequestId), ("$rhash", t.RequestHash), ("$now", t.Now));
        await insert.ExecuteNonQueryAsync(ct);
        return true;
    }
}
