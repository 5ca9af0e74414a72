using NpgsqlTypes;
using Reelgate.Core.Catalog;
using Reelgate.Core.Tasks;
using static Reelgate.Data.Postgres.PostgresAccountStore;

namespace Reelgate.Data.Postgres;

/// <summary>
/// Task creation and reads on PostgreSQL. The create transaction locks the API key's row first,
/// so creates of one key run one at a time (the idempotency lookup and the active-task count see
/// each other's commits), and the account row before charging, so racing charges of one account
/// queue instead of overdrawing; different keys and accounts run in parallel. The unique
/// (key, request id) index and the deferred billing trigger back the same rules in the database.
/// </summary>
public sealed class PostgresTaskStore(PostgresDatabase db) : ITaskStore
{
    public Task<CreateTaskOutcome> CreateAsync(NewTask t, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            await Exec(conn, tx, "SELECT 1 FROM api_keys WHERE id = $1 FOR UPDATE", ct, Text(t.KeyId));
            if (t.RequestId is not null)
            {
                await using var find = Cmd(conn, tx, "SELECT id, request_hash FROM tasks WHERE key_id = $1 AND request_id = $2", Text(t.KeyId), Text(t.RequestId));
                await using var r = await find.ExecuteReaderAsync(ct);
                if (await r.ReadAsync(ct))
                {
                    var id = r.GetString(0);
                    var hash = r.IsDBNull(1) ? null : r.GetString(1);
                    return hash == t.RequestHash
                        ? new CreateTaskOutcome(CreateTaskStatus.Replayed, id)
                        : new CreateTaskOutcome(CreateTaskStatus.RequestConflict, id);
                }
            }

            if (t.ActiveTaskLimit is { } limit)
            {
                await using var count = Cmd(conn, tx, "SELECT COUNT(*) FROM tasks WHERE key_id = $1 AND state = 'waiting'", Text(t.KeyId));
                if ((long)(await count.ExecuteScalarAsync(ct))! >= limit)
                {
                    return new CreateTaskOutcome(CreateTaskStatus.ActiveTaskLimit, null);
                }
            }

            await using (var balance = Cmd(conn, tx, "SELECT credits FROM accounts WHERE id = $1 FOR UPDATE", Text(t.AccountId)))
            {
                if (await balance.ExecuteScalarAsync(ct) is not long credits || credits < t.Cost)
                {
                    return new CreateTaskOutcome(CreateTaskStatus.InsufficientCredits, null);
                }
            }

            await Exec(conn, tx,
                "INSERT INTO tasks (id, account_id, key_id, model, state, param, input, cost, seed, callback_url, base_url, request_id, request_hash, create_time, update_time, spec) " +
                "VALUES ($1, $2, $3, $4, 'waiting', $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14)",
                ct, Text(t.TaskId), Text(t.AccountId), Text(t.KeyId), Text(t.Model), Text(t.Param), Text(t.Input), Big(t.Cost), Big(t.Seed),
                Text(t.CallBackUrl), Text(t.BaseUrl), Text(t.RequestId), Text(t.RequestHash), Big(t.Now), Text(t.Spec is null ? null : GenerationSpecJson.Serialize(t.Spec)));
            await PostAsync(conn, tx, t.AccountId, -t.Cost, "charge", "task " + t.TaskId, t.TaskId, t.Now, ct);

            // Delivered at commit, to every node's listener: idle workers claim at once.
            await Exec(conn, tx, "SELECT pg_notify($1, '')", ct, Text(PgTaskRows.QueueChannel));
            return new CreateTaskOutcome(CreateTaskStatus.Created, t.TaskId);
        }, ct);

    public async Task<TaskRecord?> GetAsync(string taskId, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        return await PgTaskRows.GetAsync(conn, null, taskId, ct);
    }

    public async Task<IReadOnlyList<TaskRecord>> ListAsync(string accountId, string? state, string? model, TaskCursor? after, int limit, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null,
            "SELECT " + PgTaskRows.Columns + " FROM tasks WHERE account_id = $1 " +
            "AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR model = $3) " +
            "AND ($4::bigint IS NULL OR create_time < $4 OR (create_time = $4 AND id < $5)) " +
            "ORDER BY create_time DESC, id DESC LIMIT $6",
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
