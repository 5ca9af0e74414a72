using Reelgate.Core.Leadership;

namespace Reelgate.Data.Sqlite;

/// <summary>Leader leases on SQLite: one upsert that only takes over an expired lease or renews one's own.</summary>
public sealed class SqliteLeaderLease(SqliteDatabase db) : ILeaderLease
{
    public Task<bool> TryAcquireAsync(string name, string holder, long now, TimeSpan ttl, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var cmd = TaskRows.Command(conn, tx,
                "INSERT INTO leases (name, holder, expires_at) VALUES ($name, $holder, $exp) " +
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at " +
                "WHERE leases.holder = excluded.holder OR leases.expires_at <= $now RETURNING holder",
                ("$name", name), ("$holder", holder), ("$exp", now + (long)ttl.TotalMilliseconds), ("$now", now));
            return await cmd.ExecuteScalarAsync(ct) is string;
        }, ct);

    public Task ReleaseAsync(string name, string holder, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var cmd = TaskRows.Command(conn, tx, "DELETE FROM leases WHERE name = $name AND holder = $holder", ("$name", name), ("$holder", holder));
            return await cmd.ExecuteNonQueryAsync(ct);
        }, ct);
}
