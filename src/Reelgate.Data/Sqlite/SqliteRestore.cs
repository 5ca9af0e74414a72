using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Reelgate.Data.Sqlite;

/// <summary>
/// Puts a backup in place of a data directory's database, only when nothing uses it. Two signals,
/// both checked: the <see cref="DatabaseUseLock"/>, taken exclusive for the whole restore (every
/// Reelgate process that opens the database holds it shared, and none can open it meanwhile); and
/// SQLite's own locks, for any other program (a sqlite3 shell): in WAL mode every open connection
/// holds a shared lock on the database file, so switching it out of WAL mode, which needs an
/// exclusive lock, succeeds only when no other connection is open. That switch also checkpoints
/// the WAL into the file, so the previous database, kept as
/// <c>reelgate.db.before-restore-&lt;UTC time&gt;</c>, is complete in that one file.
/// </summary>
public static class SqliteRestore
{
    private static readonly string[] SideFiles = ["-wal", "-journal", "-shm"];

    public static async Task<MaintenanceOutcome> RestoreAsync(string backupPath, string databasePath, int newestSchemaVersion, DateTimeOffset now, CancellationToken ct)
    {
        var backup = Path.GetFullPath(backupPath);
        var database = Path.GetFullPath(databasePath);
        if (!File.Exists(backup))
        {
            return new MaintenanceOutcome(MaintenanceStatus.BadInput, $"no backup file at {backup}");
        }

        if (backup == database || backup.StartsWith(database + "-", StringComparison.Ordinal))
        {
            return new MaintenanceOutcome(MaintenanceStatus.BadInput, $"{backup} is the database itself; restore a backup file");
        }

        if (new FileInfo(backup + "-wal") is { Exists: true, Length: > 0 })
        {
            return new MaintenanceOutcome(MaintenanceStatus.CheckFailed,
                $"{backup}-wal lies beside the backup: it was copied from a live database and the commits in that -wal would be lost; restore a file made by reelgate-server backup");
        }

        var directory = Path.GetDirectoryName(database)!;
        Directory.CreateDirectory(directory);
        using var use = DatabaseUseLock.TryAcquireExclusive(database);
        if (use is null)
        {
            return new MaintenanceOutcome(MaintenanceStatus.InUse, $"{database} is in use (a server or another reelgate-server command holds {DatabaseUseLock.PathFor(database)}); stop it first");
        }

        // Copied beside the database, checked there, then renamed into place (same file system).
        var temp = Path.Combine(directory, $".{Path.GetFileName(database)}.{Guid.NewGuid():N}.restoring");
        try
        {
            File.Copy(backup, temp);
            var report = await SqliteFileCheck.RunAsync(temp, ct);
            if (!report.Ok)
            {
                return new MaintenanceOutcome(MaintenanceStatus.CheckFailed, $"{backup} failed its check: {report.Problem}", report);
            }

            if (report.SchemaVersion > newestSchemaVersion)
            {
                return new MaintenanceOutcome(MaintenanceStatus.CheckFailed,
                    $"{backup} is at schema version {report.SchemaVersion}, newer than this build's {newestSchemaVersion}: restore it with that Reelgate version or a later one", report);
            }

            string? kept = null;
            if (File.Exists(database))
            {
                var current = await CheckpointAloneAsync(database, ct);
                if (current == CurrentDatabase.InUse)
                {
                    return new MaintenanceOutcome(MaintenanceStatus.InUse, $"{database} is open in another program (SQLite reports it locked); close it first", report);
                }

                kept = KeptName(database, now);
                File.Move(database, kept);

                // After a checkpoint there is no -wal; there is one only when the old file could not
                // be read (the reason for a restore, often): it moves with the file, keeping its commits.
                foreach (var side in new[] { "-wal", "-journal" })
                {
                    if (File.Exists(database + side))
                    {
                        File.Move(database + side, kept + side);
                    }
                }

                // Only an index of the -wal, rebuilt when it is next opened.
                SqliteBackup.DeleteIfThere(database + "-shm");
            }
            else
            {
                // Left over without their database: SQLite would replay a stray -wal or -journal
                // onto the restored file.
                foreach (var side in SideFiles)
                {
                    SqliteBackup.DeleteIfThere(database + side);
                }
            }

            File.Move(temp, database);
            if (kept is not null && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(database, File.GetUnixFileMode(kept));
            }

            var upgrade = report.SchemaVersion < newestSchemaVersion ? $"; the server migrates it to version {newestSchemaVersion} at start" : "";
            var previous = kept is null ? "" : $"; the previous database is kept as {kept}";
            return new MaintenanceOutcome(MaintenanceStatus.Done, $"restored {backup} to {database} ({report.Summary()}{upgrade}){previous}", report, kept);
        }
        finally
        {
            SqliteBackup.DeleteIfThere(temp);
            foreach (var side in SideFiles)
            {
                SqliteBackup.DeleteIfThere(temp + side);
            }
        }
    }

    private enum CurrentDatabase
    {
        Alone,
        InUse,
        Unreadable,
    }

    /// <summary>
    /// Switches the current database out of WAL mode (checkpointing it) and takes SQLite's
    /// exclusive lock once: both fail while any other connection has the file open.
    /// </summary>
    private static async Task<CurrentDatabase> CheckpointAloneAsync(string database, CancellationToken ct)
    {
        // A short timeout: Microsoft.Data.Sqlite retries a busy statement until it runs out.
        var cs = new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 2 }.ToString();
        try
        {
            await using var conn = new SqliteConnection(cs);
            await conn.OpenAsync(ct);
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode = DELETE";
            if (await cmd.ExecuteScalarAsync(ct) is not "delete")
            {
                return CurrentDatabase.InUse;
            }

            cmd.CommandText = "BEGIN EXCLUSIVE; COMMIT;";
            await cmd.ExecuteNonQueryAsync(ct);
            return CurrentDatabase.Alone;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6)
        {
            // SQLITE_BUSY, SQLITE_LOCKED.
            return CurrentDatabase.InUse;
        }
        catch (SqliteException)
        {
            // Corrupt or not a database: nothing can use it either; it is kept as it is.
            return CurrentDatabase.Unreadable;
        }
    }

    private static string KeptName(string database, DateTimeOffset now)
    {
        var name = database + ".before-restore-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var candidate = name;
        for (var i = 2; File.Exists(candidate); i++)
        {
            candidate = name + "-" + i.ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }
}
