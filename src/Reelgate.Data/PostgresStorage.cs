using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Reelgate.Core.Accounts;
using Reelgate.Core.Callbacks;
using Reelgate.Core.Cluster;
using Reelgate.Core.Engines;
using Reelgate.Core.Leadership;
using Reelgate.Core.Tasks;
using Reelgate.Core.Uploads;
using Reelgate.Data.Identity;
using Reelgate.Data.Postgres;

namespace Reelgate.Data;

/// <summary>
/// The shared backend (many nodes): every store, the queue, leases, the callback outbox, the
/// Identity tables and the data-protection key ring in one PostgreSQL database, and the signals
/// between nodes through LISTEN/NOTIFY on it (river keeps its listener on the driver too).
/// </summary>
public static class PostgresStorage
{
    /// <summary>Registers every store of the PostgreSQL backend on <paramref name="connectionString"/>.</summary>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ => new PostgresDatabase(connectionString));
        services.AddSingleton<IReelgateDatabase>(sp => sp.GetRequiredService<PostgresDatabase>());
        services.AddSingleton<ITaskStore>(sp => new PostgresTaskStore(sp.GetRequiredService<PostgresDatabase>(), sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddSingleton<ITaskQueue>(sp => new PostgresTaskQueue(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<IAccountStore>(sp => new PostgresAccountStore(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<IEngineAttempts>(sp => new PostgresEngineAttempts(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<IUploadStore>(sp => new PostgresUploadStore(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<ICallbackOutbox>(sp => new PostgresCallbackOutbox(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<ILeaderLease>(sp => new PostgresLeaderLease(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<IClusterSignals, PostgresClusterSignals>();
        services.AddSingleton<IDatabaseMaintenance>(sp => new PostgresMaintenance(sp.GetRequiredService<IAccountStore>(), connectionString));
        services.AddDbContext<ReelgateIdentityDbContext>(o => o.UseNpgsql(connectionString));

        // The key ring in the database, so a cookie issued by one node is accepted by all.
        services.AddOptions<KeyManagementOptions>().Configure<PostgresDatabase>((o, db) => o.XmlRepository = new PostgresXmlRepository(db));
        return services;
    }

    /// <summary>What is wrong with <paramref name="connectionString"/> as a PostgreSQL connection string, one line per problem.</summary>
    public static IReadOnlyList<string> Validate(string connectionString)
    {
        try
        {
            var parsed = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrEmpty(parsed.Host)
                ? ["ConnectionStrings:Reelgate has no Host: use a PostgreSQL connection string like Host=db.internal;Username=reelgate;Password=...;Database=reelgate"]
                : [];
        }
        catch (ArgumentException e)
        {
            return [$"ConnectionStrings:Reelgate is not a PostgreSQL connection string ({e.Message}): use Host=db.internal;Username=reelgate;Password=...;Database=reelgate"];
        }
    }
}
