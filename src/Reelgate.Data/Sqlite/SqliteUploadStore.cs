using System.Data.Common;
using Reelgate.Core.Media;
using Reelgate.Core.Uploads;

namespace Reelgate.Data.Sqlite;

/// <summary>
/// The uploads table on SQLite. The quota's sum and the insert run in one work item of the single
/// writer, so no other write (a racing upload of the same account) lands between them.
/// </summary>
public sealed class SqliteUploadStore(SqliteDatabase db) : IUploadStore
{
    public Task<UploadAdmission> AddAsync(UploadedFile file, long quotaBytes, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var sum = TaskRows.Command(conn, tx, "SELECT COALESCE(SUM(size), 0) FROM uploads WHERE account_id = $account AND expires_at > $now",
                ("$account", file.AccountId), ("$now", now.ToUnixTimeMilliseconds()));
            var used = Convert.ToInt64(await sum.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            if (used + file.Info.Size > quotaBytes)
            {
                return UploadAdmission.OverQuota(used);
            }

            using var insert = TaskRows.Command(conn, tx,
                "INSERT INTO uploads (file_id, account_id, key, file_name, kind, mime_type, extension, size, width, height, duration, created_at, expires_at) " +
                "VALUES ($id, $account, $key, $name, $kind, $mime, $ext, $size, $w, $h, $d, $created, $expires)",
                ("$id", file.FileId), ("$account", file.AccountId), ("$key", file.Key), ("$name", file.FileName),
                ("$kind", UploadColumns.KindText(file.Info.Kind)), ("$mime", file.Info.MimeType), ("$ext", file.Info.Extension),
                ("$size", file.Info.Size), ("$w", file.Info.Width), ("$h", file.Info.Height), ("$d", file.Info.DurationSeconds),
                ("$created", file.CreatedAt.ToUnixTimeMilliseconds()), ("$expires", file.ExpiresAt.ToUnixTimeMilliseconds()));
            await insert.ExecuteNonQueryAsync(ct);
            return UploadAdmission.Accepted(used + file.Info.Size);
        }, ct);

    public async Task<UploadedFile?> FindAsync(string fileId, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        using var cmd = TaskRows.Command(conn, null, UploadColumns.Select + " WHERE file_id = $id", ("$id", fileId));
        using var r = await cmd.ExecuteReaderAsync(ct);
        var list = await UploadColumns.ReadAllAsync(r, ct);
        return list.Count == 0 ? null : list[0];
    }

    public async Task<IReadOnlyList<UploadedFile>> ExpiredAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        using var cmd = TaskRows.Command(conn, null, UploadColumns.Select + " WHERE expires_at <= $now ORDER BY expires_at, file_id LIMIT $limit",
            ("$now", now.ToUnixTimeMilliseconds()), ("$limit", limit));
        using var r = await cmd.ExecuteReaderAsync(ct);
        return await UploadColumns.ReadAllAsync(r, ct);
    }

    public Task DeleteAsync(string fileId, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var cmd = TaskRows.Command(conn, tx, "DELETE FROM uploads WHERE file_id = $id", ("$id", fileId));
            return await cmd.ExecuteNonQueryAsync(ct);
        }, ct);
}

/// <summary>The one mapping of an uploads row, shared by SQLite and PostgreSQL (times are Unix milliseconds).</summary>
internal static class UploadColumns
{
    public const string Select = "SELECT file_id, account_id, key, file_name, kind, mime_type, extension, size, width, height, duration, created_at, expires_at FROM uploads";

    public static string KindText(MediaKind kind) => kind switch
    {
        MediaKind.Image => "image",
        MediaKind.Video => "video",
        _ => "audio",
    };

    public static async Task<IReadOnlyList<UploadedFile>> ReadAllAsync(DbDataReader r, CancellationToken ct)
    {
        var list = new List<UploadedFile>();
        while (await r.ReadAsync(ct))
        {
            var kind = r.GetString(4) switch
            {
                "image" => MediaKind.Image,
                "video" => MediaKind.Video,
                _ => MediaKind.Audio,
            };
            var info = new MediaInfo(kind, r.GetString(5), r.GetString(6), r.GetInt64(7), r.GetInt32(8), r.GetInt32(9), r.GetDouble(10));
            list.Add(new UploadedFile(
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), info,
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(12))));
        }

        return list;
    }
}
