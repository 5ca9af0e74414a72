using Npgsql;
using NpgsqlTypes;
using Reelgate.Core.Tasks;
using static Reelgate.Data.Postgres.PostgresAccountStore;

namespace Reelgate.Data.Postgres;

/// <summary>
/// The durable queue on PostgreSQL, for any number of worker nodes. A claim is one statement
/// that locks up to n of the oldest claimable rows with <c>FOR UPDATE SKIP LOCKED</c> (claimers
/// never wait on each other's rows and never take the same one) and stamps each with a fresh
/// lease token as it locks it. Delivery is
/// at least once: a task whose worker died becomes claimable when its lease expires. Ending is
/// exactly once: every end checks <c>state = 'waiting'</c> and the lease token in its UPDATE, and
/// the database refuses any change of an ended task (trigger) and any billing other than one
/// charge and, for a failure, one refund (deferred trigger), so a late finisher changes nothing.
/// </summary>
public sealed class PostgresTaskQueue(PostgresDatabase db) : ITaskQueue
{
    /// <summary>
    /// The claim, one statement in autocommit (one round trip, no BEGIN/COMMIT): <c>picked</c> locks
    /// the oldest claimable rows with <c>SKIP LOCKED</c>, so concurrent claimers split the queue
    /// between them without waiting; <c>claimed</c> stamps each non-exhausted one with its own
    /// lease token; the outer SELECT returns every picked row, oldest first, with the claimed
    /// columns (TaskColumns order, lease token and attempt included, then whether an engine attempt
    /// is still marked running) or NULLs for an exhausted one.
    /// </summary>
    private const string ClaimSql =
        "WITH picked AS MATERIALIZED (" +
        "SELECT id, attempts, create_time FROM tasks WHERE state = 'waiting' AND (lease_expires IS NULL OR lease_expires <= $1) " +
        "ORDER BY create_time, id LIMIT $2 FOR UPDATE SKIP LOCKED), " +
        "claimed AS (" +
        "UPDATE tasks SET lease_token = replace(gen_random_uuid()::text, '-', ''), lease_expires = $3, worker_id = $4, attempts = attempts + 1, " +
        "start_time = COALESCE(start_time, $1), progress = 0, update_time = $1 " +
        "WHERE id IN (SELECT id FROM picked WHERE attempts < $5) RETURNING " + PgTaskRows.Columns + ", " +
        "EXISTS (SELECT 1 FROM engine_attempts a WHERE a.task_id = tasks.id AND a.outcome = 'running') AS running_attempts) " +
        "SELECT claimed.*, picked.id, picked.attempts FROM picked LEFT JOIN claimed ON claimed.id = picked.id " +
        "ORDER BY picked.create_time, picked.id";

    public async Task<IReadOnlyList<ClaimedTask>> ClaimManyAsync(string workerId, long now, TimeSpan lease, int maxAttempts, int max, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var result = new List<ClaimedTask>(max);
        while (result.Count < max)
        {
            var exhausted = new List<string>();
            await using (var conn = await db.Source.OpenConnectionAsync(ct))
            await using (var claim = Cmd(conn, null, ClaimSql, Big(now), Int(max - result.Count), Big(now + (long)lease.TotalMilliseconds), Text(workerId), Int(maxAttempts)))
            {
                // Npgsql keeps a prepared statement on the pooled physical connection: the first
                // claim on it pays the parse, later ones only bind and execute.
                await claim.PrepareAsync(ct);
                await using var r = await claim.ExecuteReaderAsync(ct);
                while (await r.ReadAsync(ct))
                {
                    if (r.IsDBNull(0))
                    {
                        exhausted.Add(r.GetString(TaskColumnCount + 1));
                        continue;
                    }

                    var task = PgTaskRows.Read(r);
                    result.Add(new ClaimedTask(task, r.GetString(LeaseTokenColumn), task.Attempts) { HasRunningAttempts = r.GetBoolean(TaskColumnCount) });
                }
            }

            // Rare: the statement met tasks that lost their worker maxAttempts times. They are
            // failed (and refunded) apart, and the batch is filled again in their place; each
            // round fails at least one task, so this ends.
            if (exhausted.Count == 0 || await FailExhaustedAsync(exhausted, now, maxAttempts, ct) == 0)
            {
                break;
            }
        }

        return result;
    }

    /// <summary>
    /// At least once, but not forever: the claim's exhausted candidates fail with <c>internal_error</c>
    /// and a refund. The condition is checked again under the row lock (another claimer or the sweep
    /// may have acted since the claim's statement released it); a row locked right now is left to its holder.
    /// </summary>
    private Task<int> FailExhaustedAsync(List<string> ids, long now, int maxAttempts, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            var locked = new List<(string Id, int Attempts)>();
            await using (var find = Cmd(conn, tx,
                "SELECT id, attempts FROM tasks WHERE id = ANY($1) AND state = 'waiting' AND attempts >= $2 " +
                "AND (lease_expires IS NULL OR lease_expires <= $3) FOR UPDATE SKIP LOCKED",
                new() { Value = ids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text }, Int(maxAttempts), Big(now)))
            await using (var r = await find.ExecuteReaderAsync(ct))
            {
                while (await r.ReadAsync(ct))
                {
                    locked.Add((r.GetString(0), r.GetInt32(1)));
                }
            }

            var failed = 0;
            foreach (var (id, attempts) in locked)
            {
                if (await PgTaskRows.EndFailedAsync(conn, tx, id, null, FailCodes.InternalError,
                    $"generation was interrupted {attempts} times (worker lost); the cost was refunded", now, ct))
                {
                    failed++;
                }
            }

            return failed;
        }, ct);

    /// <summary>Ordinals in <see cref="TaskColumns.List"/>: the claim's extra columns follow its 24.</summary>
    private const int TaskColumnCount = 24;
    private const int LeaseTokenColumn = 19;

    private static NpgsqlParameter Int(int v) => new() { Value = v, NpgsqlDbType = NpgsqlDbType.Integer };

    public Task<bool> HeartbeatAsync(string taskId, string leaseToken, long now, TimeSpan lease, int progress, CancellationToken ct) =>
        db.StatementAsync(async conn =>
            await Exec(conn, null,
                "UPDATE tasks SET lease_expires = $1, progress = GREATEST(progress, $2), update_time = $3 " +
                "WHERE id = $4 AND state = 'waiting' AND lease_token = $5",
                ct, Big(now + (long)lease.TotalMilliseconds), new() { Value = progress, NpgsqlDbType = NpgsqlDbType.Integer }, Big(now), Text(taskId), Text(leaseToken)) == 1, ct);

    public Task<bool> ReleaseAsync(string taskId, string leaseToken, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            var released = await Exec(conn, tx,
                "UPDATE tasks SET lease_token = NULL, lease_expires = NULL, worker_id = NULL, attempts = GREATEST(attempts - 1, 0), update_time = $1 " +
                "WHERE id = $2 AND state = 'waiting' AND lease_token = $3",
                ct, Big(now), Text(taskId), Text(leaseToken));
            if (released == 1)
            {
                // Delivered at commit: an idle worker on any node claims it at once.
                await Exec(conn, tx, "SELECT pg_notify($1, '')", ct, Text(PgTaskRows.QueueChannel));
            }

            return released == 1;
        }, ct);

    /// <summary>
    /// One statement in autocommit: the fenced end and, for a task with a callback, its outbox row
    /// (a data-modifying CTE), so both commit together in one round trip.
    /// </summary>
    public Task<bool> SucceedAsync(string taskId, string leaseToken, string resultKey, string? thumbnailKey, long now, CancellationToken ct) =>
        db.StatementAsync(async conn =>
        {
            await using var cmd = Cmd(conn, null,
                "WITH ended AS (UPDATE tasks SET state = 'success', result_key = $2, thumbnail_key = $3, progress = 100, complete_time = $1, update_time = $1, " +
                "lease_token = NULL, lease_expires = NULL WHERE id = $4 AND state = 'waiting' AND lease_token = $5 RETURNING id, account_id, callback_url), " +
                "queued AS (" + PgTaskRows.EnqueueEndedCallbacks + ") " +
                "SELECT count(*) FROM ended",
                Big(now), Text(resultKey), Text(thumbnailKey), Text(taskId), Text(leaseToken));
            return (long)(await cmd.ExecuteScalarAsync(ct))! == 1;
        }, ct);

    public Task<bool> FailAsync(string taskId, string leaseToken, string failCode, string failMsg, long now, CancellationToken ct) =>
        db.WriteAsync((conn, tx) => PgTaskRows.EndFailedAsync(conn, tx, taskId, leaseToken, failCode, failMsg, now, ct), ct);

    public Task<ExpiredLeases> ReleaseExpiredAsync(long now, int maxAttempts, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            // SKIP LOCKED: a row a worker is claiming right now is left for the next sweep.
            var exhausted = new List<(string Id, int Attempts, string Model, long Cost)>();
            await using (var find = Cmd(conn, tx,
                "SELECT id, attempts, model, cost FROM tasks WHERE state = 'waiting' AND lease_expires <= $1 AND attempts >= $2 FOR UPDATE SKIP LOCKED",
                Big(now), new() { Value = maxAttempts, NpgsqlDbType = NpgsqlDbType.Integer }))
            await using (var r = await find.ExecuteReaderAsync(ct))
            {
                while (await r.ReadAsync(ct))
                {
                    exhausted.Add((r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetInt64(3)));
                }
            }

            foreach (var (id, attempts, _, _) in exhausted)
            {
                await PgTaskRows.EndFailedAsync(conn, tx, id, null, FailCodes.InternalError,
                    $"generation was interrupted {attempts} times (worker lost); the cost was refunded", now, ct);
            }

            var requeued = await Exec(conn, tx,
                "UPDATE tasks SET lease_token = NULL, lease_expires = NULL, worker_id = NULL, update_time = $1 WHERE id IN " +
                "(SELECT id FROM tasks WHERE state = 'waiting' AND lease_expires <= $1 FOR UPDATE SKIP LOCKED)", ct, Big(now));
            return new ExpiredLeases(requeued, [.. exhausted.Select(e => new SweptTask(e.Id, e.Model, e.Cost))]);
        }, ct);

    public async Task<long?> NextLeaseExpiryAsync(CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null, "SELECT MIN(lease_expires) FROM tasks WHERE state = 'waiting' AND lease_expires IS NOT NULL");
        return await cmd.ExecuteScalarAsync(ct) is long v ? v : null;
    }

    public async Task<QueueStats> StatsAsync(long now, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null,
            "SELECT COUNT(*) FILTER (WHERE lease_expires IS NULL OR lease_expires <= $1), COUNT(*) FILTER (WHERE lease_expires > $1), " +
            "MIN(create_time) FILTER (WHERE lease_expires IS NULL OR lease_expires <= $1) FROM tasks WHERE state = 'waiting'", Big(now));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new QueueStats(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetInt64(2));
    }
}
