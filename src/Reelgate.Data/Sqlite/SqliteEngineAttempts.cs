using System.Data.Common;
using Reelgate.Core.Engines;

namespace Reelgate.Data.Sqlite;

/// <summary>The engine attempt journal on SQLite (through the single writer, durable on return).</summary>
public sealed class SqliteEngineAttempts(SqliteDatabase db) : IEngineAttempts
{
    public Task<long> BeginAsync(string taskId, int claim, string engine, string? upstreamId, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var cmd = TaskRows.Command(conn, tx,
                "INSERT INTO engine_attempts (task_id, claim, engine, upstream_id, outcome, started_at) VALUES ($task, $claim, $engine, $up, 'running', $now) RETURNING id",
                ("$task", taskId), ("$claim", claim), ("$engine", engine), ("$up", upstreamId), ("$now", now));
            return (long)(await cmd.ExecuteScalarAsync(ct))!;
        }, ct);

    public Task SetUpstreamIdAsync(long attemptId, string upstreamId, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var cmd = TaskRows.Command(conn, tx, "UPDATE engine_attempts SET upstream_id = $up WHERE id = $id", ("$up", upstreamId), ("$id", attemptId));
            return await cmd.ExecuteNonQueryAsync(ct);
        }, ct);

    public Task EndAsync(long attemptId, string outcome, string? failCode, string? detail, string? usage, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var cmd = TaskRows.Command(conn, tx,
                "UPDATE engine_attempts SET outcome = $outcome, fail_code = $code, detail = $detail, usage = COALESCE($usage, usage), ended_at = $now WHERE id = $id AND outcome = 'running'",
                ("$outcome", outcome), ("$code", failCode), ("$detail", detail), ("$usage", usage), ("$now", now), ("$id", attemptId));
            return await cmd.ExecuteNonQueryAsync(ct);
        }, ct);

    public async Task<IReadOnlyList<EngineAttempt>> ListAsync(string taskId, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        using var cmd = TaskRows.Command(conn, null, EngineAttemptColumns.Select + " WHERE task_id = $task ORDER BY id", ("$task", taskId));
        using var r = await cmd.ExecuteReaderAsync(ct);
        return await EngineAttemptColumns.ReadAllAsync(r, ct);
    }
}

/// <summary>The one mapping of an engine_attempts row, shared by SQLite and PostgreSQL.</summary>
internal static class EngineAttemptColumns
{
    public const string Select = "SELECT id, task_id, claim, engine, upstream_id, outcome, fail_code, detail, usage, started_at, ended_at FROM engine_attempts";

    public static async Task<IReadOnlyList<EngineAttempt>> ReadAllAsync(DbDataReader r, CancellationToken ct)
    {
        var list = new List<EngineAttempt>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new EngineAttempt(
                r.GetInt64(0),
                r.GetString(1),
                r.GetInt32(2),
                r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4),
                r.GetString(5),
                r.IsDBNull(6) ? null : r.GetString(6),
                r.IsDBNull(7) ? null : r.GetString(7),
                r.IsDBNull(8) ? null : r.GetString(8),
                r.GetInt64(9),
                r.IsDBNull(10) ? null : r.GetInt64(10)));
        }

        return list;
    }
}
