using NpgsqlTypes;
using Reelgate.Core.Uploads;
using Reelgate.Data.Sqlite;
using static Reelgate.Data.Postgres.PostgresAccountStore;

namespace Reelgate.Data.Postgres;

/// <summary>
/// The uploads table on PostgreSQL. Racing uploads of one account (on any node) are serialized by
/// locking the account row first (<c>SELECT ... FOR UPDATE</c>): the sum of its unexpired sizes
/// and the insert then see every upload committed before, so the quota is never passed.
/// </summary>
public sealed class PostgresUploadStore(PostgresDatabase db) : IUploadStore
{
    public Task<UploadAdmission> AddAsync(UploadedFile file, long quotaBytes, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            await Exec(conn, tx, "SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE", ct, Text(file.AccountId));
            await using var sum = Cmd(conn, tx, "SELECT COALESCE(SUM(size), 0) FROM uploads WHERE account_id = $1 AND expires_at > $2",
                Text(file.AccountId), Big(now.ToUnixTimeMilliseconds()));
            var used = Convert.ToInt64(await sum.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            if (used + file.Info.Size > quotaBytes)
            {
                return UploadAdmission.OverQuota(used);
            }

            await Exec(conn, tx,
                "INSERT INTO uploads (file_id, account_id, key, file_name, kind, mime_type, extension, size, width, height, duration, created_at, expires_at) " +
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                ct, Text(file.FileId), Text(file.AccountId), Text(file.Key), Text(file.FileName), Text(UploadColumns.KindText(file.Info.Kind)),
                Text(file.Info.MimeType), Text(file.Info.Extension), Big(file.Info.Size),
                new() { Value = file.Info.Width, NpgsqlDbType = NpgsqlDbType.Integer }, new() { Value = file.Info.Height, NpgsqlDbType = NpgsqlDbType.Integer },
                new() { Value = file.Info.DurationSeconds, NpgsqlDbType = NpgsqlDbType.Double },
                Big(file.CreatedAt.ToUnixTimeMilliseconds()), Big(file.ExpiresAt.ToUnixTimeMilliseconds()));
            return UploadAdmission.Accepted(used + file.Info.Size);
        }, ct);

    public async Task<UploadedFile?> FindAsync(string fileId, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null, UploadColumns.Select + " WHERE file_id = $1", Text(fileId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = await UploadColumns.ReadAllAsync(r, ct);
        return list.Count == 0 ? null : list[0];
    }

    public async Task<IReadOnlyList<UploadedFile>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null, UploadColumns.Select + " WHERE expires_at <= $1 ORDER BY expires_at, file_id LIMIT $2",
            Big(now.ToUnixTimeMilliseconds()), Big(limit));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await UploadColumns.ReadAllAsync(r, ct);
    }

    public Task DeleteAsync(string fileId, CancellationToken ct) =>
        db.WriteAsync((conn, tx) => Exec(conn, tx, "DELETE FROM uploads WHERE file_id = $1", ct, Text(fileId)), ct);
}
