using Reelgate.Core.Accounts;

namespace Reelgate.Data.Postgres;

/// <summary>
/// Audit on the live database; backup and restore are PostgreSQL's own (pg_dump, pg_restore), so
/// those answer with the command line to run against the configured server (never the password).
/// </summary>
public sealed class PostgresMaintenance(IAccountStore accounts, string connectionString) : IDatabaseMaintenance
{
    public string? MissingDatabase => null;

    public Task<IReadOnlyList<LedgerAuditEntry>> AuditAsync(CancellationToken ct) => accounts.AuditAsync(ct);

    public Task<MaintenanceOutcome> BackupAsync(string targetPath, CancellationToken ct) => Task.FromResult(new MaintenanceOutcome(MaintenanceStatus.BadInput,
        $"the database is PostgreSQL (ConnectionStrings:Reelgate); back it up with pg_dump: pg_dump -Fc{Target()} -f reelgate.dump (docs/backup.md)"));

    public Task<MaintenanceOutcome> RestoreAsync(string backupPath, DateTimeOffset now, CancellationToken ct) => Task.FromResult(new MaintenanceOutcome(MaintenanceStatus.BadInput,
        $"the database is PostgreSQL (ConnectionStrings:Reelgate); stop every node, then restore a pg_dump archive with pg_restore: pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error{Target()} reelgate.dump (docs/backup.md)"));

    private string Target()
    {
        try
        {
            var b = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return $" -h {b.Host} -p {b.Port} -U {b.Username} -d {b.Database}";
        }
        catch (ArgumentException)
        {
            return ""; // not parseable: the advice goes without the connection options
        }
    }
}
