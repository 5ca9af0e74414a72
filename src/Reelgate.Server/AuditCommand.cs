using Reelgate.Data.Sqlite;
using Reelgate.Server.Options;

namespace Reelgate.Server;

/// <summary>
/// <c>reelgate-server audit</c>: checks the ledger rule (balance == sum(ledger), balance &gt;= 0)
/// for every account of the configured database (the data directory's SQLite file, or
/// PostgreSQL when ConnectionStrings:Reelgate is set). Exit 0 when all hold, 1 otherwise.
/// </summary>
public static class AuditCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var config = CommandConfiguration.Load(args);
        var options = new ReelgateOptions();
        config.GetSection(ReelgateOptions.Section).Bind(options);
        IReadOnlyList<Reelgate.Core.Accounts.LedgerAuditEntry> entries;
        if (ReelgateHost.PostgresConnection(config) is { } pg)
        {
            await using var pgDb = new Reelgate.Data.Postgres.PostgresDatabase(pg);
            entries = await new Reelgate.Data.Postgres.PostgresAccountStore(pgDb).AuditAsync(CancellationToken.None);
        }
        else
        {
            var path = options.DatabasePath;
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"audit: no database at {path} (set Reelgate__DataDirectory, or ConnectionStrings__Reelgate for PostgreSQL)");
                return 2;
            }

            await using var db = new SqliteDatabase(path);
            await db.MigrateAsync(CancellationToken.None);
            entries = await new SqliteAccountStore(db).AuditAsync(CancellationToken.None);
        }

        var broken = entries.Where(e => !e.Ok).ToList();
        foreach (var e in broken)
        {
            Console.WriteLine($"BROKEN {e.AccountId}: balance {e.Balance}, ledger sum {e.LedgerSum}");
        }

        Console.WriteLine($"audit: {entries.Count} account(s), {broken.Count} broken");
        return broken.Count == 0 ? 0 : 1;
    }
}
