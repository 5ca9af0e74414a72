using Microsoft.Data.Sqlite;
using Npgsql;
using Reelgate.Core.Accounts;
using Reelgate.Data.Postgres;
using Reelgate.Data.Sqlite;

[assembly: AssemblyFixture(typeof(Reelgate.Data.Tests.PostgresServer))]

namespace Reelgate.Data.Tests.Conformance;

/// <summary>The account store conformance suite on the embedded SQLite backend.</summary>
public sealed class SqliteAccountStoreTests : AccountStoreConformance
{
    private readonly string _dir = Directory.CreateTempSubdirectory("reelgate-conf-").FullName;
    private SqliteDatabase? _db;

    protected override async Task<IAccountStore> CreateStoreAsync()
    {
        _db = new SqliteDatabase(Path.Combine(_dir, "reelgate.db"));
        await _db.MigrateAsync(Ct);
        return new SqliteAccountStore(_db);
    }

    protected override async Task<string?> TryRawAsync(string sql)
    {
        await using var conn = new SqliteConnection($"Data Source={Path.Combine(_dir, "reelgate.db")}");
        await conn.OpenAsync(Ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        try
        {
            await cmd.ExecuteNonQueryAsync(Ct);
            return null;
        }
        catch (SqliteException e)
        {
            return e.Message;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>The same suite on PostgreSQL (a real server started for this test assembly).</summary>
public sealed class PostgresAccountStoreTests(PostgresServer server) : AccountStoreConformance
{
    private PostgresDatabase? _db;
    private string _connection = "";

    protected override async Task<IAccountStore> CreateStoreAsync()
    {
        _connection = await server.CreateDatabaseAsync();
        _db = new PostgresDatabase(_connection);
        await _db.MigrateAsync(Ct);
        await _db.MigrateAsync(Ct); // idempotent: a second node starting later changes nothing
        return new PostgresAccountStore(_db);
    }

    protected override async Task<string?> TryRawAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(_connection);
        await conn.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        try
        {
            await cmd.ExecuteNonQueryAsync(Ct);
            return null;
        }
        catch (PostgresException e)
        {
            return e.MessageText;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }
}
