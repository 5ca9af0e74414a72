using Microsoft.Data.Sqlite;
using Npgsql;
using Reelgate.Data.Postgres;
using Reelgate.Data.Sqlite;
using Reelgate.Testing;

namespace Reelgate.Data.Tests;

/// <summary>
/// Nodes that start together on one fresh database migrate it once: on PostgreSQL under
/// <c>pg_advisory_xact_lock</c>, on SQLite inside one <c>BEGIN IMMEDIATE</c> transaction. Every
/// node's MigrateAsync succeeds and each version is recorded exactly once.
/// </summary>
public sealed class MigrationLockTests(PostgresServer server)
{
    private const int Nodes = 8;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MigrateAsync_AppliesEveryVersionOnce_WhenSeveralNodesStartTogether_OnPostgres()
    {
        var connection = await server.CreateDatabaseAsync();

        // A data source each, as separate nodes have; all connected before the start signal.
        var nodes = Enumerable.Range(0, Nodes).Select(_ => new PostgresDatabase(connection)).ToList();
        try
        {
            foreach (var node in nodes)
            {
                await using var warm = await node.Source.OpenConnectionAsync(Ct);
            }

            await StartTogetherAsync(nodes.Select<PostgresDatabase, Func<Task>>(n => () => n.MigrateAsync(Ct)));

            var versions = new List<int>();
            await using (var conn = new NpgsqlConnection(connection))
            {
                await conn.OpenAsync(Ct);
                await using var cmd = new NpgsqlCommand("SELECT version FROM schema_version ORDER BY version", conn);
                await using var r = await cmd.ExecuteReaderAsync(Ct);
                while (await r.ReadAsync(Ct))
                {
                    versions.Add(r.GetInt32(0));
                }
            }

            Assert.Equal(Enumerable.Range(1, nodes[0].SchemaVersion), versions);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task MigrateAsync_AppliesEveryVersionOnce_WhenSeveralNodesStartTogether_OnSqlite()
    {
        var dir = Directory.CreateTempSubdirectory("reelgate-migrate-").FullName;
        var path = Path.Combine(dir, "reelgate.db");

        // Each instance has its own writer connection: SQLite's file locks decide, as between processes.
        var nodes = Enumerable.Range(0, Nodes).Select(_ => new SqliteDatabase(path)).ToList();
        try
        {
            await StartTogetherAsync(nodes.Select<SqliteDatabase, Func<Task>>(n => () => n.MigrateAsync(Ct)));

            var versions = new List<int>();
            await using (var conn = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                await conn.OpenAsync(Ct);
                using var cmd = conn.CreateCommand();
                cmd.CommandText = "SELECT version FROM schema_version ORDER BY version";
                using var r = await cmd.ExecuteReaderAsync(Ct);
                while (await r.ReadAsync(Ct))
                {
                    versions.Add(r.GetInt32(0));
                }
            }

            Assert.Equal(Enumerable.Range(1, SqliteDatabase.NewestSchemaVersion), versions);
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Runs every action on its own thread-pool task, released by one signal; all must succeed.</summary>
    private static async Task StartTogetherAsync(IEnumerable<Func<Task>> actions)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = actions.Select(a => Task.Run(async () =>
        {
            await go.Task;
            await a();
        })).ToList();
        go.SetResult();
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(60), Ct);
    }
}
