using System.Diagnostics.Metrics;
using NpgsqlTypes;
using Reelgate.Core.Tasks;
using static Reelgate.Data.Postgres.PostgresAccountStore;

namespace Reelgate.Data.Postgres;

/// <summary>
/// Task creation and reads on PostgreSQL. A create goes through the node's group commit
/// (<see cref="PgCreateBatches"/>): creates that arrive together are one statement of the
/// <c>create_tasks</c> function (migration 0009), one round trip and one commit, which applies
/// <see cref="CreateTransaction"/>'s rule to each in order under row locks on the keys and the
/// accounts, so creates of many nodes see each other's commits. The unique (key, request id)
/// index, the ledger's rules and the deferred billing trigger back the same rules in the database.
/// </summary>
public sealed class PostgresTaskStore(PostgresDatabase db, IMeterFactory? meters = null) : ITaskStore
{
    private readonly PgCreateBatches _creates = new(db, meters);

    /// <summary>
    /// Queues the create for the next batch and answers after its commit. <paramref name="ct"/> is
    /// checked before queuing only: a queued create is decided and answered by the batch (an
    /// abandoned wait would leave the caller unsure whether it was charged).
    /// </summary>
    public Task<CreateTaskOutcome> CreateAsync(NewTask t, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return _creates.CreateAsync(t);
    }

    public async Task<TaskRecord?> GetAsync(string taskId, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        return await PgTaskRows.GetAsync(conn, null, taskId, ct);
    }

    /// <summary>The claim order's condition (PostgresTaskQueue): waiting and not leased, oldest first.</summary>
    private const string QueuePositionSql =
        "SELECT COUNT(*) FROM tasks t JOIN tasks w ON w.state = 'waiting' AND (w.lease_expires IS NULL OR w.lease_expires <= $2) " +
        "AND w.create_time <= t.create_time AND (w.create_time < t.create_time OR w.id <= t.id) " + // the first conjunct is a range on the queue index: O(tasks ahead), not O(queue)
        "WHERE t.id = $1 AND t.state = 'waiting' AND t.start_time IS NULL AND (t.lease_expires IS NULL OR t.lease_expires <= $2)";

    public async Task<int?> QueuePositionAsync(string taskId, long now, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null, QueuePositionSql, Text(taskId), Big(now));
        var count = Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        return count > 0 ? count : null;
    }

    private const string ListNewestFirst =
        "SELECT " + PgTaskRows.Columns + " FROM tasks WHERE account_id = $1 " +
        "AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR model = $3) " +
        "AND ($4::bigint IS NULL OR create_time < $4 OR (create_time = $4 AND id < $5)) " +
        "ORDER BY create_time DESC, id DESC LIMIT $6";

    private const string ListOldestFirst =
        "SELECT " + PgTaskRows.Columns + " FROM tasks WHERE account_id = $1 " +
        "AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR model = $3) " +
        "AND ($4::bigint IS NULL OR create_time > $4 OR (create_time = $4 AND id > $5)) " +
        "ORDER BY create_time, id LIMIT $6";

    public async Task<IReadOnlyList<TaskRecord>> ListAsync(string accountId, string? state, string? model, TaskCursor? after, int limit, CancellationToken ct, bool oldestFirst = false)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null, oldestFirst ? ListOldestFirst : ListNewestFirst,
            Text(accountId), Text(state), Text(model), Big(after?.CreateTime), Text(after?.TaskId), new() { Value = limit, NpgsqlDbType = NpgsqlDbType.Integer });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<TaskRecord>(limit);
        while (await r.ReadAsync(ct))
        {
            list.Add(PgTaskRows.Read(r));
        }

        return list;
    }

    public async Task<IReadOnlyList<TaskRecord>> ListResultsToExpireAsync(long completedBefore, int limit, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null,
            "SELECT " + PgTaskRows.Columns + " FROM tasks WHERE state = 'success' AND results_expired_at IS NULL AND complete_time < $1 " +
            "ORDER BY complete_time LIMIT $2",
            Big(completedBefore), new() { Value = limit, NpgsqlDbType = NpgsqlDbType.Integer });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<TaskRecord>();
        while (await r.ReadAsync(ct))
        {
            list.Add(PgTaskRows.Read(r));
        }

        return list;
    }

    public Task<bool> MarkResultsExpiredAsync(string taskId, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
            await Exec(conn, tx, "UPDATE tasks SET results_expired_at = $1 WHERE id = $2 AND state = 'success' AND results_expired_at IS NULL", ct, Big(now), Text(taskId)) == 1, ct);

    public Task<CancelOutcome> CancelAsync(string taskId, string accountId, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            await using (var find = Cmd(conn, tx, "SELECT state FROM tasks WHERE id = $1 AND account_id = $2", Text(taskId), Text(accountId)))
            {
                if (await find.ExecuteScalarAsync(ct) is not string)
                {
                    return CancelOutcome.NotFound;
                }
            }

            return await PgTaskRows.EndFailedAsync(conn, tx, taskId, null, FailCodes.Cancelled, "cancelled by the client; the cost was refunded", now, ct)
                ? CancelOutcome.Cancelled
                : CancelOutcome.AlreadyFinished;
        }, ct);
}
