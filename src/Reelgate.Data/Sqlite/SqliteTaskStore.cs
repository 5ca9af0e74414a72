using Reelgate.Core.Tasks;

namespace Reelgate.Data.Sqlite;

/// <summary>Task creation and reads on SQLite.</summary>
public sealed class SqliteTaskStore(SqliteDatabase db) : ITaskStore
{
    /// <summary>The create transaction (<see cref="CreateTransaction"/>) under the single writer, so racing creates see each other's commits.</summary>
    public Task<CreateTaskOutcome> CreateAsync(NewTask t, CancellationToken ct) =>
        db.WriteAsync((conn, tx) => CreateTransaction.RunAsync(t, new SqliteCreateSteps(conn, tx), ct), ct);

    private const string ListNewestFirst =
        "SELECT " + TaskRows.Columns + " FROM tasks WHERE account_id = $account " +
        "AND ($state IS NULL OR state = $state) AND ($model IS NULL OR model = $model) " +
        "AND ($afterTime IS NULL OR create_time < $afterTime OR (create_time = $afterTime AND id < $afterId)) " +
        "ORDER BY create_time DESC, id DESC LIMIT $limit";

    private const string ListOldestFirst =
        "SELECT " + TaskRows.Columns + " FROM tasks WHERE account_id = $account " +
        "AND ($state IS NULL OR state = $state) AND ($model IS NULL OR model = $model) " +
        "AND ($afterTime IS NULL OR create_time > $afterTime OR (create_time = $afterTime AND id > $afterId)) " +
        "ORDER BY create_time, id LIMIT $limit";

    public async Task<IReadOnlyList<TaskRecord>> ListAsync(string accountId, string? state, string? model, TaskCursor? after, int limit, CancellationToken ct, bool oldestFirst = false)
    {
        await using var conn = await db.OpenReadAsync(ct);
        using var cmd = TaskRows.Command(conn, null, oldestFirst ? ListOldestFirst : ListNewestFirst,
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

    /// <summary>The claim order's condition (SqliteTaskQueue): waiting and not leased, oldest first.</summary>
    private const string QueuePositionSql =
        "SELECT COUNT(*) FROM tasks t JOIN tasks w ON w.state = 'waiting' AND (w.lease_expires IS NULL OR w.lease_expires <= $now) " +
        "AND w.create_time <= t.create_time AND (w.create_time < t.create_time OR w.id <= t.id) " + // the first conjunct is a range on the queue index: O(tasks ahead), not O(queue)
        "WHERE t.id = $id AND t.state = 'waiting' AND t.start_time IS NULL AND (t.lease_expires IS NULL OR t.lease_expires <= $now)";

    public async Task<int?> QueuePositionAsync(string taskId, long now, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        using var cmd = TaskRows.Command(conn, null, QueuePositionSql, ("$id", taskId), ("$now", now));
        var count = Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        return count > 0 ? count : null;
    }
}
