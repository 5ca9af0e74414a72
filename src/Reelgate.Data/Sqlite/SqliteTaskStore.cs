using Reelgate.Core.Catalog;
using Reelgate.Core.Tasks;

namespace Reelgate.Data.Sqlite;

/// <summary>Task creation and reads on SQLite.</summary>
public sealed class SqliteTaskStore(SqliteDatabase db) : ITaskStore
{
    public Task<CreateTaskOutcome> CreateAsync(NewTask t, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            // Check order inside the transaction: idempotency, active-task limit, credits.
            // All run under the single writer, so two racing requests see each other's commits.
            if (t.RequestId is not null)
            {
                using var find = TaskRows.Command(conn, tx,
                    "SELECT id, request_hash FROM tasks WHERE key_id = $key AND request_id = $rid",
                    ("$key", t.KeyId), ("$rid", t.RequestId));
                using var r = await find.ExecuteReaderAsync(ct);
                if (await r.ReadAsync(ct))
                {
                    var id = r.GetString(0);
                    return r.GetString(1) == t.RequestHash
                        ? new CreateTaskOutcome(CreateTaskStatus.Replayed, id)
                        : new CreateTaskOutcome(CreateTaskStatus.RequestConflict, id);
                }
            }

            if (t.ActiveTaskLimit is { } limit)
            {
                using var count = TaskRows.Command(conn, tx,
                    "SELECT COUNT(*) FROM tasks WHERE key_id = $key AND state = 'waiting'", ("$key", t.KeyId));
                if ((long)(await count.ExecuteScalarAsync(ct))! >= limit)
                {
                    return new CreateTaskOutcome(CreateTaskStatus.ActiveTaskLimit, null);
                }
            }

            if (!await TaskRows.PostAsync(conn, tx, t.AccountId, -t.Cost, "charge", "task " + t.TaskId, t.TaskId, t.Now, ct))
            {
                return new CreateTaskOutcome(CreateTaskStatus.InsufficientCredits, null);
            }

            using var insert = TaskRows.Command(conn, tx,
                "INSERT INTO tasks (id, account_id, key_id, model, state, param, input, spec, cost, seed, callback_url, base_url, request_id, request_hash, create_time, update_time) " +
                "VALUES ($id, $account, $key, $model, 'waiting', $param, $input, $spec, $cost, $seed, $cb, $base, $rid, $rhash, $now, $now)",
                ("$id", t.TaskId), ("$account", t.AccountId), ("$key", t.KeyId), ("$model", t.Model), ("$param", t.Param),
                ("$input", t.Input), ("$spec", t.Spec is null ? null : GenerationSpecJson.Serialize(t.Spec)), ("$cost", t.Cost), ("$seed", t.Seed),
                ("$cb", t.CallBackUrl), ("$base", t.BaseUrl), ("$rid", t.RequestId), ("$rhash", t.RequestHash), ("$now", t.Now));
            await insert.ExecuteNonQueryAsync(ct);
            return new CreateTaskOutcome(CreateTaskStatus.Created, t.TaskId);
        }, ct);

    public async Task<IReadOnlyList<TaskRecord>> ListAsync(string accountId, string? state, string? model, TaskCursor? after, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        using var cmd = TaskRows.Command(conn, null,
            $"SELECT {TaskRows.Columns} FROM tasks WHERE account_id = $account " +
            "AND ($state IS NULL OR state = $state) AND ($model IS NULL OR model = $model) " +
            "AND ($afterTime IS NULL OR create_time < $afterTime OR (create_time = $afterTime AND id < $afterId)) " +
            "ORDER BY create_time DESC, id DESC LIMIT $limit",
            ("$account", accountId), ("$state", state), ("$model", model),
            ("$afterTime", after?.CreateTime), ("$afterId", after?.TaskId), ("$limit", limit));
        using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<TaskRecord>(limit);
        while (await r.ReadAsync(ct))
        {
            list.Add(TaskRows.Read(r));
        }

        return list;
    }

    public async Task<IReadOnlyList<TaskRecord>> ListResultsToExpireAsync(long completedBefore, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        using var cmd = TaskRows.Command(conn, null,
            "SELECT " + TaskRows.Columns + " FROM tasks WHERE state = 'success' AND results_expired_at IS NULL AND complete_time < $before " +
            "ORDER BY complete_time LIMIT $limit",
            ("$before", completedBefore), ("$limit", limit));
        using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<TaskRecord>();
        while (await r.ReadAsync(ct))
        {
            list.Add(TaskRows.Read(r));
        }

        return list;
    }

    public Task<bool> MarkResultsExpiredAsync(string taskId, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var cmd = TaskRows.Command(conn, tx,
                "UPDATE tasks SET results_expired_at = $now WHERE id = $id AND state = 'success' AND results_expired_at IS NULL",
                ("$now", now), ("$id", taskId));
            return await cmd.ExecuteNonQueryAsync(ct) == 1;
        }, ct);

    public Task<CancelOutcome> CancelAsync(string taskId, string accountId, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var find = TaskRows.Command(conn, tx, "SELECT state FROM tasks WHERE id = $id AND account_id = $account", ("$id", taskId), ("$account", accountId));
            var state = await find.ExecuteScalarAsync(ct) as string;
            if (state is null)
            {
                return CancelOutcome.NotFound;
            }

            return await SqliteTaskQueue.EndFailedAsync(conn, tx, taskId, null, FailCodes.Cancelled, "cancelled by the client; the cost was refunded", now, ct)
                ? CancelOutcome.Cancelled
                : CancelOutcome.AlreadyFinished;
        }, ct);

    public async Task<TaskRecord?> GetAsync(string taskId, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        return await TaskRows.GetAsync(conn, null, taskId, ct);
    }
}
