using Npgsql;
using Reelgate.Core.Tasks;
using static Reelgate.Data.Postgres.PostgresAccountStore;

namespace Reelgate.Data.Postgres;

/// <summary>The tasks table's column list and its mapping to <see cref="TaskRecord"/> on PostgreSQL.</summary>
internal static class PgTaskRows
{
    public const string Columns = TaskColumns.List;

    /// <summary>The channel createTask notifies (on commit) so idle workers on every node wake at once.</summary>
    public const string QueueChannel = "reelgate_queue";

    public static TaskRecord Read(NpgsqlDataReader r) => TaskColumns.Read(r);

    public static async Task<TaskRecord?> GetAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string taskId, CancellationToken ct)
    {
        await using var cmd = Cmd(conn, tx, "SELECT " + Columns + " FROM tasks WHERE id = $1", Text(taskId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    /// <summary>Ends a waiting task in fail and refunds its cost, in the caller's transaction.</summary>
    public static async Task<bool> EndFailedAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string taskId, string? leaseToken, string failCode, string failMsg, long now, CancellationToken ct)
    {
        string account;
        long cost;
        await using (var cmd = Cmd(conn, tx,
            "UPDATE tasks SET state = 'fail', fail_code = $2, fail_msg = $3, complete_time = $4, update_time = $4, " +
            "lease_token = NULL, lease_expires = NULL WHERE id = $1 AND state = 'waiting' AND ($5::text IS NULL OR lease_token = $5) " +
            "RETURNING account_id, cost",
            Text(taskId), Text(failCode), Text(failMsg), Big(now), Text(leaseToken)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct))
            {
                return false;
            }

            account = r.GetString(0);
            cost = r.GetInt64(1);
        }

        if (cost > 0)
        {
            await PostAsync(conn, tx, account, cost, "refund", "refund of task " + taskId, taskId, now, ct);
        }

        await EnqueueCallbackAsync(conn, tx, taskId, now, ct);
        return true;
    }

    /// <summary>
    /// The outbox INSERT for the tasks of a CTE named <c>ended</c> (<c>id, account_id,
    /// callback_url</c>) that have a callback; parameter <c>$1</c> is "now". Used by the statement
    /// that ends a task, so the outbox row commits with the end.
    /// </summary>
    public const string EnqueueEndedCallbacks =
        "INSERT INTO callback_deliveries (task_id, account_id, url, state, attempts, next_attempt_at, created_at, updated_at) " +
        "SELECT id, account_id, callback_url, 'pending', 0, $1, $1, $1 FROM ended WHERE callback_url IS NOT NULL";

    /// <summary>Transactional outbox: the callback is queued in the transaction that ends the task.</summary>
    public static Task<int> EnqueueCallbackAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string taskId, long now, CancellationToken ct) =>
        Exec(conn, tx, "WITH ended AS (SELECT id, account_id, callback_url FROM tasks WHERE id = $2) " + EnqueueEndedCallbacks, ct, Big(now), Text(taskId));
}
