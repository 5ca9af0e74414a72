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
        config.GetSection(ReelgateOptions.Section).Bind(new ReelgateOptions()); // a bad setting stops here, as it does the server
        await using var storage = CommandConfiguration.Storage(config);
        var database = storage.Maintenance();
        if (database.MissingDatabase is { } path)
        {
            Console.Error.WriteLine($"audit: no database at {path} (set Reelgate__DataDirectory, or ConnectionStrings__Reelgate for PostgreSQL)");
            return 2;
        }

        var entries = await database.AuditAsync(CancellationToken.None);
        var broken = entries.Where(e => !e.Ok).ToList();
        foreach (var e in broken)
        {
            Console.WriteLine($"BROKEN {e.AccountId}: balance {e.Balance}, ledger sum {e.LedgerSum}");
        }

        Console.WriteLine($"audit: {entries.Count} account(s), {broken.Count} broken");
        return broken.Count == 0 ? 0 : 1;
    }
}
