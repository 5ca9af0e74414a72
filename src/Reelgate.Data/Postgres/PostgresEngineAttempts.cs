using Reelgate.Core.Engines;
using Reelgate.Data.Sqlite;
using static Reelgate.Data.Postgres.PostgresAccountStore;

namespace Reelgate.Data.Postgres;

/// <summary>The engine attempt journal on PostgreSQL (committed on return; each call is one statement in autocommit, one round trip).</summary>
public sealed class PostgresEngineAttempts(PostgresDatabase db) : IEngineAttempts
{
    public Task<long> BeginAsync(string taskId, int claim, string engine, string? upstreamId, long now, CancellationToken ct) =>
        db.StatementAsync(async conn =>
        {
            await using var cmd = Cmd(conn, null,
                "INSERT INTO engine_attempts (task_id, claim, engine, upstream_id, outcome, started_at) VALUES ($1, $2, $3, $4, 'running', $5) RETURNING id",
                Text(taskId), Big(claim), Text(engine), Text(upstreamId), Big(now));
            return (long)(await cmd.ExecuteScalarAsync(ct))!;
        }, ct);

    public Task SetUpstreamIdAsync(long attemptId, string upstreamId, CancellationToken ct) =>
        db.StatementAsync(conn => Exec(conn, null, "UPDATE engine_attempts SET upstream_id = $1 WHERE id = $2", ct, Text(upstreamId), Big(attemptId)), ct);

    public Task EndAsync(long attemptId, string outcome, string? failCode, string? detail, string? usage, long now, CancellationToken ct) =>
        db.StatementAsync(conn => Exec(conn, null,
            "UPDATE engine_attempts SET outcome = $1, fail_code = $2, detail = $3, usage = COALESCE($4, usage), ended_at = $5 WHERE id = $6 AND outcome = 'running'",
            ct, Text(outcome), Text(failCode), Text(detail), Text(usage), Big(now), Big(attemptId)), ct);

    public async Task<IReadOnlyList<EngineAttempt>> ListAsync(string taskId, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null, EngineAttemptColumns.Select + " WHERE task_id = $1 ORDER BY id", Text(taskId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await EngineAttemptColumns.ReadAllAsync(r, ct);
    }
}
