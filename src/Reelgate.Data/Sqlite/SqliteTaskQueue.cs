using Microsoft.Data.Sqlite;
using Reelgate.Core.Tasks;

namespace Reelgate.Data.Sqlite;

/// <summary>
/// The durable queue on SQLite: a claim is a select-then-update loop in one transaction under
/// the single writer, so no two workers can hold the same lease. Ending a task checks <c>state = 'waiting'</c> and
/// the lease token in the same UPDATE, so a task ends once and is refunded at most once.
/// </summary>
public sealed class SqliteTaskQueue(SqliteDatabase db) : ITaskQueue
{
    /// <summary>
    /// The claim: one write transaction (the single writer, so no other claimer can see these
    /// rows in between) that takes the oldest claimable task, one at a time, until
    /// <paramref name="max"/> are claimed or none is left. Same semantics as PostgreSQL's one statement.
    /// </summary>
    public Task<IReadOnlyList<ClaimedTask>> ClaimManyAsync(string workerId, long now, TimeSpan lease, int maxAttempts, int max, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        return db.WriteAsync<IReadOnlyList<ClaimedTask>>(async (conn, tx) =>
        {
            var claimed = new List<ClaimedTask>(max);
            while (claimed.Count < max)
            {
                string id;
                int attempts;
                using (var pick = TaskRows.Command(conn, tx,
                    "SELECT id, attempts FROM tasks WHERE state = 'waiting' AND (lease_expires IS NULL OR lease_expires <= $now) " +
                    "ORDER BY create_time, id LIMIT 1", ("$now", now)))
                using (var r = await pick.ExecuteReaderAsync(ct))
                {
                    if (!await r.ReadAsync(ct))
                    {
                        break;
                    }

                    id = r.GetString(0);
                    attempts = r.GetInt32(1);
                }

                if (attempts >= maxAttempts)
                {
                    // At least once, but not forever: a task that killed or lost its worker this
                    // many times fails and is refunded instead of blocking the queue.
                    await EndFailedAsync(conn, tx, id, null, FailCodes.InternalError,
                        $"generation was interrupted {attempts} times (worker lost); the cost was refunded", now, ct);
                    continue;
                }

                var token = Guid.NewGuid().ToString("N");
                using (var claim = TaskRows.Command(conn, tx,
                    "UPDATE tasks SET lease_token = $token, lease_expires = $exp, worker_id = $worker, attempts = attempts + 1, " +
                    "start_time = COALESCE(start_time, $now), progress = 0, update_time = $now WHERE id = $id",
                    ("$token", token), ("$exp", now + (long)lease.TotalMilliseconds), ("$worker", workerId), ("$now", now), ("$id", id)))
                {
                    await claim.ExecuteNonQueryAsync(ct);
                }

                var task = (await TaskRows.GetAsync(conn, tx, id, ct))!;
                claimed.Add(new ClaimedTask(task, token, attempts + 1));
            }

            return claimed;
        }, ct);
    }

    public Task<bool> HeartbeatAsync(string taskId, string leaseToken, long now, TimeSpan lease, int progress, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var cmd = TaskRows.Command(conn, tx,
                "UPDATE tasks SET lease_expires = $exp, progress = MAX(progress, $progress), update_time = $now " +
                "WHERE id = $id AND state = 'waiting' AND lease_token = $token",
                ("$exp", now + (long)lease.TotalMilliseconds), ("$progress", progress), ("$now", now), ("$id", taskId), ("$token", leaseToken));
            return await cmd.ExecuteNonQueryAsync(ct) == 1;
        }, ct);

    public Task<bool> SucceedAsync(string taskId, string leaseToken, string resultKey, string? thumbnailKey, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var cmd = TaskRows.Command(conn, tx,
                "UPDATE tasks SET state = 'success', result_key = $key, thumbnail_key = $thumb, progress = 100, complete_time = $now, update_time = $now, " +
                "lease_token = NULL, lease_expires = NULL WHERE id = $id AND state = 'waiting' AND lease_token = $token",
                ("$key", resultKey), ("$thumb", thumbnailKey), ("$now", now), ("$id", taskId), ("$token", leaseToken));
            if (await cmd.ExecuteNonQueryAsync(ct) != 1)
            {
                return false;
            }

            await EnqueueCallbackAsync(conn, tx, taskId, now, ct);
            return true;
        }, ct);

    public Task<bool> FailAsync(string taskId, string leaseToken, string failCode, string failMsg, long now, CancellationToken ct) =>
        db.WriteAsync((conn, tx) => EndFailedAsync(conn, tx, taskId, leaseToken, failCode, failMsg, now, ct), ct);

    public Task<ExpiredLeases> ReleaseExpiredAsync(long now, int maxAttempts, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            var exhausted = new List<(string Id, int Attempts, string Model, long Cost)>();
            using (var find = TaskRows.Command(conn, tx,
                "SELECT id, attempts, model, cost FROM tasks WHERE state = 'waiting' AND lease_expires <= $now AND attempts >= $max", ("$now", now), ("$max", maxAttempts)))
            using (var r = await find.ExecuteReaderAsync(ct))
            {
                while (await r.ReadAsync(ct))
                {
                    exhausted.Add((r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetInt64(3)));
                }
            }

            foreach (var (id, attempts, _, _) in exhausted)
            {
                await EndFailedAsync(conn, tx, id, null, FailCodes.InternalError,
                    $"generation was interrupted {attempts} times (worker lost); the cost was refunded", now, ct);
            }

            using var requeue = TaskRows.Command(conn, tx,
                "UPDATE tasks SET lease_token = NULL, lease_expires = NULL, worker_id = NULL, update_time = $now " +
                "WHERE state = 'waiting' AND lease_expires <= $now", ("$now", now));
            return new ExpiredLeases(await requeue.ExecuteNonQueryAsync(ct), [.. exhausted.Select(e => new SweptTask(e.Id, e.Model, e.Cost))]);
        }, ct);

    public Task<bool> ReleaseAsync(string taskId, string leaseToken, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var cmd = TaskRows.Command(conn, tx,
                "UPDATE tasks SET lease_token = NULL, lease_expires = NULL, worker_id = NULL, attempts = MAX(attempts - 1, 0), update_time = $now " +
                "WHERE id = $id AND state = 'waiting' AND lease_token = $token",
                ("$now", now), ("$id", taskId), ("$token", leaseToken));
            return await cmd.ExecuteNonQueryAsync(ct) == 1;
        }, ct);

    public async Task<long?> NextLeaseExpiryAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        using var cmd = TaskRows.Command(conn, null, "SELECT MIN(lease_expires) FROM tasks WHERE state = 'waiting' AND lease_expires IS NOT NULL");
        var v = await cmd.ExecuteScalarAsync(ct);
        return v is long l ? l : null;
    }

    public async Task<QueueStats> StatsAsync(long now, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        using var cmd = TaskRows.Command(conn, null,
            "SELECT COUNT(*) FILTER (WHERE lease_expires IS NULL OR lease_expires <= $now), COUNT(*) FILTER (WHERE lease_expires > $now), " +
            "MIN(create_time) FILTER (WHERE lease_expires IS NULL OR lease_expires <= $now) FROM tasks WHERE state = 'waiting'", ("$now", now));
        using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new QueueStats(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetInt64(2));
    }

    /// <summary>Ends a waiting task in fail and refunds its cost, in the caller's transaction.</summary>
    internal static async Task<bool> EndFailedAsync(SqliteConnection conn, SqliteTransaction tx, string taskId, string? leaseToken, string failCode, string failMsg, long now, CancellationToken ct)
    {
        using var cmd = TaskRows.Command(conn, tx,
            "UPDATE tasks SET state = 'fail', fail_code = $code, fail_msg = $msg, complete_time = $now, update_time = $now, " +
            "lease_token = NULL, lease_expires = NULL WHERE id = $id AND state = 'waiting' AND ($token IS NULL OR lease_token = $token) " +
            "RETURNING account_id, cost",
            ("$code", failCode), ("$msg", failMsg), ("$now", now), ("$id", taskId), ("$token", leaseToken));
        string account;
        long cost;
        using (var r = await cmd.ExecuteReaderAsync(ct))
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
            await TaskRows.PostAsync(conn, tx, account, cost, "refund", "refund of task " + taskId, taskId, now, ct);
        }

        await EnqueueCallbackAsync(conn, tx, taskId, now, ct);
        return true;
    }

    /// <summary>Transactional outbox: the callback is queued in the transaction that ends the task.</summary>
    private static async Task EnqueueCallbackAsync(SqliteConnection conn, SqliteTransaction tx, string taskId, long now, CancellationToken ct)
    {
        using var cmd = TaskRows.Command(conn, tx,
            "INSERT INTO callback_deliveries (task_id, account_id, url, state, attempts, next_attempt_at, created_at, updated_at) " +
            "SELECT id, account_id, callback_url, 'pending', 0, $now, $now, $now FROM tasks WHERE id = $id AND callback_url IS NOT NULL",
            ("$id", taskId), ("$now", now));
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
