using Reelgate.Core.Accounts;

namespace Reelgate.Data.Sqlite;

/// <summary>
/// Audit, backup and restore of the SQLite file. The database object is only opened by the audit:
/// a backup reads the file beside any running server, and a restore must find it unused.
/// </summary>
public sealed class SqliteMaintenance(SqliteStorageSettings settings, Func<SqliteDatabase> database) : IDatabaseMaintenance
{
    private string DatabasePath => Path.GetFullPath(settings.DatabasePath);

    public string? MissingDatabase => File.Exists(DatabasePath) ? null : DatabasePath;

    public async Task<IReadOnlyList<LedgerAuditEntry>> AuditAsync(CancellationToken ct)
    {
        var db = database();
        await db.MigrateAsync(ct);
        return await new SqliteAccountStore(db).AuditAsync(ct);
    }

    public Task<MaintenanceOutcome> BackupAsync(string targetPath, CancellationToken ct) => SqliteBackup.BackupAsync(DatabasePath, targetPath, ct);

    public Task<MaintenanceOutcome> RestoreAsync(string backupPath, DateTimeOffset now, CancellationToken ct) =>
        SqliteRestore.RestoreAsync(backupPath, DatabasePath, SqliteDatabase.NewestSchemaVersion, now, ct);
}
