using System.Reflection;
using Npgsql;

namespace Reelgate.Data.Postgres;

/// <summary>
/// A PostgreSQL database (selected by a <c>Host=...</c> connection string): a pooled Npgsql data
/// source and the versioned migrations (embedded <c>Postgres/Migrations/NNNN_name.sql</c>),
/// applied under an advisory lock so nodes starting together migrate once.
/// </summary>
public sealed class PostgresDatabase : IReelgateDatabase, IAsyncDisposable
{
    private const long MigrationLock = 0x5265656C67617465; // "Reelgate"

    public PostgresDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
        {
            // Fail fast when the database is away (Npgsql's default waits 15 s to connect): the
            // request gets its error envelope in seconds instead of hanging.
            builder.Timeout = 3;
        }

        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            // No DISCARD ALL each time a pooled connection is reused: Reelgate sets no session
            // state on pooled connections (the listener keeps its own), so there is nothing to reset.
            builder.NoResetOnClose = true;
        }

        Description = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
        Source = NpgsqlDataSource.Create(builder);
    }

    public NpgsqlDataSource Source { get; }

    public string Description { get; }

    public int SchemaVersion => Migrations().Max(m => m.Version);

    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var conn = await Source.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", conn, tx) { Parameters = { new() { Value = MigrationLock } } })
        {
            await lockCmd.ExecuteNonQueryAsync(ct);
        }

        await Execute(conn, tx, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)", ct);
        await using (var cmd = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version", conn, tx))
        {
            var current = Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            foreach (var (version, sql) in Migrations().Where(m => m.Version > current))
            {
                await Execute(conn, tx, sql, ct);
                await using var record = new NpgsqlCommand("INSERT INTO schema_version (version) VALUES ($1)", conn, tx) { Parameters = { new() { Value = version } } };
                await record.ExecuteNonQueryAsync(ct);
            }
        }

        await tx.CommitAsync(ct);
    }

    /// <summary>Opens a pooled connection and runs <c>SELECT 1</c>: the server answers and accepts our credentials.</summary>
    public async Task PingAsync(CancellationToken ct)
    {
        await using var conn = await Source.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT 1", conn);
        await cmd.ExecuteScalarAsync(ct);
    }

    /// <summary>Runs <paramref name="work"/> in one READ COMMITTED transaction (row locks do the rest) and commits.</summary>
    public async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken ct)
    {
        await using var conn = await Source.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var result = await work(conn, tx);
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>
    /// Runs <paramref name="work"/>, which must be ONE statement, in autocommit: the statement is
    /// its own transaction, so it costs one round trip instead of a statement plus a COMMIT.
    /// </summary>
    public async Task<T> StatementAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken ct)
    {
        await using var conn = await Source.OpenConnectionAsync(ct);
        return await work(conn);
    }

    private static async Task Execute(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static IEnumerable<(int Version, string Sql)> Migrations()
    {
        var asm = Assembly.GetExecutingAssembly();
        const string Marker = ".Postgres.Migrations.";
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.Contains(Marker, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var file = name[(name.LastIndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..];
            var version = int.Parse(file[..file.IndexOf('_', StringComparison.Ordinal)].TrimStart('_'), System.Globalization.CultureInfo.InvariantCulture);
            using var stream = asm.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            yield return (version, reader.ReadToEnd());
        }
    }

    public ValueTask DisposeAsync() => Source.DisposeAsync();
}
