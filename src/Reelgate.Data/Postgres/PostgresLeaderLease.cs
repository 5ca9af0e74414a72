using Reelgate.Core.Leadership;
using static Reelgate.Data.Postgres.PostgresAccountStore;

namespace Reelgate.Data.Postgres;

/// <summary>
/// Leader leases on PostgreSQL: one upsert that only takes over an expired lease or renews one's
/// own; the row lock of the conflicting row makes racing nodes decide one after the other.
/// </summary>
public sealed class PostgresLeaderLease(PostgresDatabase db) : ILeaderLease
{
    public Task<bool> TryAcquireAsync(string name, string holder, long now, TimeSpan ttl, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            await using var cmd = Cmd(conn, tx,
                "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) " +
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at " +
                "WHERE leases.holder = excluded.holder OR leases.expires_at <= $4 RETURNING holder",
                Text(name), Text(holder), Big(now + (long)ttl.TotalMilliseconds), Big(now));
            return await cmd.ExecuteScalarAsync(ct) is string;
        }, ct);

    public Task ReleaseAsync(string name, string holder, CancellationToken ct) =>
        db.WriteAsync((conn, tx) => Exec(conn, tx, "DELETE FROM leases WHERE name = $1 AND holder = $2", ct, Text(name), Text(holder)), ct);
}
