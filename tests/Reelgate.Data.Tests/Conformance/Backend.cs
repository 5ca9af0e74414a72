using Microsoft.Extensions.DependencyInjection;
using Reelgate.Core.Accounts;
using Reelgate.Core.Callbacks;
using Reelgate.Core.Engines;
using Reelgate.Core.Leadership;
using Reelgate.Core.Tasks;

namespace Reelgate.Data.Tests.Conformance;

/// <summary>
/// A backend opened the way the server opens it: through its one storage registration
/// (<see cref="SqliteStorage.AddSqliteStorage"/>, <see cref="PostgresStorage.AddPostgresStorage"/>),
/// so the suites test what is registered, not stores wired by hand. Disposing it closes every
/// connection, as a process exit does; the database stays.
/// </summary>
public sealed class Backend(ServiceProvider services) : IAsyncDisposable
{
    public IServiceProvider Services => services;

    public IReelgateDatabase Database => services.GetRequiredService<IReelgateDatabase>();

    public static Backend Sqlite(string directory) => new(new ServiceCollection()
        .AddLogging()
        .AddSqliteStorage(_ => new SqliteStorageSettings(Path.Combine(directory, "reelgate.db"), null, Path.Combine(directory, "dataprotection-keys")))
        .BuildServiceProvider());

    public static Backend Postgres(string connectionString) => new(new ServiceCollection()
        .AddLogging()
        .AddMetrics()
        .AddPostgresStorage(connectionString)
        .BuildServiceProvider());

    /// <summary>Every store, after migrating the database.</summary>
    public async Task<StoreSet> OpenAsync(CancellationToken ct)
    {
        await Database.MigrateAsync(ct);
        return new StoreSet(
            services.GetRequiredService<IAccountStore>(),
            services.GetRequiredService<ITaskStore>(),
            services.GetRequiredService<ITaskQueue>(),
            services.GetRequiredService<ICallbackOutbox>(),
            services.GetRequiredService<ILeaderLease>(),
            services.GetRequiredService<IEngineAttempts>(),
            Database);
    }

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
