using Microsoft.Data.Sqlite;

namespace Reelgate.Data.Sqlite;

/// <summary>
/// Copies a live Reelgate SQLite database with SQLite's online backup API. Safe while servers
/// serve: the copy is made in one step inside one read transaction, and in WAL mode a reader
/// neither blocks the writer nor is blocked by it, so the copy is the database as of one commit
/// (a consistent snapshot) while writes go on. It is written to a temporary file beside the
/// target, checked (<see cref="SqliteFileCheck"/>, the schema version, row counts between a count
/// taken before and one taken after), and only then renamed over the target: the target is
/// either the previous file or a verified backup, never half of one.
/// </summary>
public static class SqliteBackup
{
    public static async Task<MaintenanceOutcome> BackupAsync(string databasePath, string targetPath, CancellationToken ct)
    {
        var source = Path.GetFullPath(databasePath);
        var target = Path.GetFullPath(targetPath);
        if (!File.Exists(source))
        {
            return new MaintenanceOutcome(MaintenanceStatus.BadInput, $"no database at {source}");
        }

        if (target == source || target.StartsWith(source + "-", StringComparison.Ordinal) || target == DatabaseUseLock.PathFor(source))
        {
            return new MaintenanceOutcome(MaintenanceStatus.BadInput, $"{target} is the database (or one of its files); name a backup file elsewhere");
        }

        if (Directory.Exists(target))
        {
            return new MaintenanceOutcome(MaintenanceStatus.BadInput, $"{target} is a directory; name the backup file");
        }

        var directory = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(directory))
        {
            return new MaintenanceOutcome(MaintenanceStatus.BadInput, $"directory {directory} does not exist");
        }

        using var use = DatabaseUseLock.TryAcquireShared(source);
        if (use is null)
        {
            return new MaintenanceOutcome(MaintenanceStatus.InUse, $"a restore is running on {source}; try again when it has finished");
        }

        // Beside the target, so the final rename is atomic (same file system).
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            // The copy holds API key hashes, webhook secrets and password hashes: owner-only.
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using (new FileStream(temp, create))
            {
                // An empty file is an empty database to SQLite; only its mode matters here.
            }

            IReadOnlyList<(string Table, long Rows)> before, after;
            int? version;
            await using (var live = SqliteFileCheck.Open(source, SqliteOpenMode.ReadWrite))
            {
                await live.OpenAsync(ct);
                await PragmaAsync(live, "PRAGMA busy_timeout = 30000", ct);
                using (var tx = live.BeginTransaction(deferred: true))
                {
                    version = await SqliteFileCheck.SchemaVersionAsync(live, tx, ct);
                    before = await SqliteFileCheck.CountRowsAsync(live, tx, ct);
                }

                if (version is null)
                {
                    return new MaintenanceOutcome(MaintenanceStatus.BadInput, $"{source} is not a Reelgate database (no schema_version table)");
                }

                await using (var copy = SqliteFileCheck.Open(temp, SqliteOpenMode.ReadWrite))
                {
                    await copy.OpenAsync(ct);
                    await PragmaAsync(copy, "PRAGMA busy_timeout = 30000", ct);

                    // One step (-1): every page under one read transaction of the live database.
                    live.BackupDatabase(copy);

                    // The copy keeps the live file's WAL flag; a backup is one self-contained file.
                    await PragmaAsync(copy, "PRAGMA journal_mode = DELETE", ct);
                }

                after = await SqliteFileCheck.CountRowsAsync(live, null, ct);
            }

            var report = await SqliteFileCheck.RunAsync(temp, ct);
            if (!report.Ok)
            {
                return new MaintenanceOutcome(MaintenanceStatus.CheckFailed, $"the copy failed its check: {report.Problem}", report);
            }

            if (report.SchemaVersion != version)
            {
                return new MaintenanceOutcome(MaintenanceStatus.CheckFailed, $"the copy is at schema version {report.SchemaVersion}, the database at {version}", report);
            }

            foreach (var (table, low) in before)
            {
                var high = after.FirstOrDefault(a => a.Table == table).Rows;
                var copied = report.Count(table);
                if (copied < low || copied > high)
                {
                    return new MaintenanceOutcome(MaintenanceStatus.CheckFailed, $"the copy has {copied} row(s) in {table}; the database had {low} before the copy and {high} after", report);
                }
            }

            File.Move(temp, target, overwrite: true);
            return new MaintenanceOutcome(MaintenanceStatus.Done, $"wrote {target} ({report.Summary()}; integrity ok, ledger balanced)", report);
        }
        finally
        {
            foreach (var file in new[] { temp, temp + "-journal", temp + "-wal", temp + "-shm" })
            {
                DeleteIfThere(file);
            }
        }
    }

    internal static async Task PragmaAsync(SqliteConnection conn, string sql, CancellationToken ct)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    internal static void DeleteIfThere(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
