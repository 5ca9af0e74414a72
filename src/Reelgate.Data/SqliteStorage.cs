using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reelgate.Core.Accounts;
using Reelgate.Core.Callbacks;
using Reelgate.Core.Cluster;
using Reelgate.Core.Engines;
using Reelgate.Core.Leadership;
using Reelgate.Core.Tasks;
using Reelgate.Core.Uploads;
using Reelgate.Data.Identity;
using Reelgate.Data.Sqlite;

namespace Reelgate.Data;

/// <summary>
/// The embedded backend (one node): one SQLite file for every store, the queue, leases, the
/// callback outbox and the Identity tables; the data-protection key ring in a directory beside it;
/// signals between "nodes" in process, since there is only this one.
/// </summary>
public static class SqliteStorage
{
    /// <summary>
    /// Registers every store of the SQLite backend. <paramref name="settings"/> is read when the
    /// database is first used, so it may depend on options bound later.
    /// </summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services, Func<IServiceProvider, SqliteStorageSettings> settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(sp =>
        {
            var s = sp.GetRequiredService<SqliteStorageSettings>();
            return new SqliteDatabase(s.DatabasePath, s.BusyTimeout);
        });
        services.AddSingleton<IReelgateDatabase>(sp => sp.GetRequiredService<SqliteDatabase>());
        services.AddSingleton<ITaskStore>(sp => new SqliteTaskStore(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<ITaskQueue>(sp => new SqliteTaskQueue(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<IAccountStore>(sp => new SqliteAccountStore(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<IEngineAttempts>(sp => new SqliteEngineAttempts(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<IUploadStore>(sp => new SqliteUploadStore(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<ICallbackOutbox>(sp => new SqliteCallbackOutbox(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<ILeaderLease>(sp => new SqliteLeaderLease(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<IClusterSignals, InProcessClusterSignals>();
        services.AddSingleton<IDatabaseMaintenance>(sp => new SqliteMaintenance(sp.GetRequiredService<SqliteStorageSettings>(), sp.GetRequiredService<SqliteDatabase>));

        // Identity on its own pooled connections to the same file; the tables come from the
        // plain-SQL migrations, never from EF.
        services.AddDbContext<ReelgateIdentityDbContext>((sp, o) =>
            o.UseSqlite($"Data Source={sp.GetRequiredService<SqliteStorageSettings>().DatabasePath};Pooling=True;Default Timeout=10"));

        // The key ring in the data directory, so sign-ins and stored secrets survive restarts.
        services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider, ILoggerFactory>((o, sp, logs) =>
            o.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(sp.GetRequiredService<SqliteStorageSettings>().KeyRingDirectory), logs));
        return services;
    }
}
