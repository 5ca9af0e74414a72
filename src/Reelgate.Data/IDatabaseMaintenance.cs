using Reelgate.Core.Accounts;

namespace Reelgate.Data;

/// <summary>
/// The operator's commands on the configured database (<c>reelgate-server audit|backup|restore</c>),
/// each answered the way its backend allows: SQLite copies and restores its file in process;
/// PostgreSQL points to pg_dump / pg_restore, which do it better than any copy made here.
/// </summary>
public interface IDatabaseMaintenance
{
    /// <summary>Where the database should be when it is not there yet (a data directory never served from); null when it exists or lives on a server.</summary>
    string? MissingDatabase { get; }

    /// <summary>The ledger rule for every account (balance == sum of its ledger, balance &gt;= 0).</summary>
    Task<IReadOnlyList<LedgerAuditEntry>> AuditAsync(CancellationToken ct);

    /// <summary>Copies the database to <paramref name="targetPath"/> while servers serve, and verifies the copy.</summary>
    Task<MaintenanceOutcome> BackupAsync(string targetPath, CancellationToken ct);

    /// <summary>Puts a backup in place of the database (refused while anything uses it), keeping the previous one.</summary>
    Task<MaintenanceOutcome> RestoreAsync(string backupPath, DateTimeOffset now, CancellationToken ct);
}
