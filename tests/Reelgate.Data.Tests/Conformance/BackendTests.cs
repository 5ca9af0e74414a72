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

/// <summary>The task store conformance suite on SQLite.</summary>
public sealed class SqliteTaskStoreTests : TaskStoreConformance
{
    private readonly string _dir = Directory.CreateTempSubdirectory("reelgate-conf-").FullName;
    private SqliteDatabase? _db;

    protected override async Task<StoreSet> OpenAsync()
    {
        _db = new SqliteDatabase(Path.Combine(_dir, "reelgate.db"));
        await _db.MigrateAsync(Ct);
        return new StoreSet(new SqliteAccountStore(_db), new SqliteTaskStore(_db), new SqliteTaskQueue(_db), new SqliteCallbackOutbox(_db), new SqliteLeaderLease(_db), new SqliteEngineAttempts(_db), _db);
    }

    protected override async ValueTask CloseAsync()
    {
        if (_db is not null)
        {
            await _db.DisposeAsync();
            _db = null;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await CloseAsync();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>The task store conformance suite on PostgreSQL.</summary>
public sealed class PostgresTaskStoreTests(PostgresServer server) : TaskStoreConformance
{
    private PostgresDatabase? _db;
    private string? _connection;

    protected override async Task<StoreSet> OpenAsync()
    {
        _connection ??= await server.CreateDatabaseAsync();
        _db = new PostgresDatabase(_connection);
        await _db.MigrateAsync(Ct);
        return new StoreSet(new PostgresAccountStore(_db), new PostgresTaskStore(_db), new PostgresTaskQueue(_db), new PostgresCallbackOutbox(_db), new PostgresLeaderLease(_db), new PostgresEngineAttempts(_db), _db);
    }

    [Fact]
    public async Task TheDatabaseItself_RefusesUnbilledTasks_ChangesToEndedOnes_AndDeletes()
    {
        await S.Accounts.CreateAccountAsync("acc_pg", "pg", 100, 1, Ct);
        await S.Accounts.CreateKeyAsync("key_pg", "acc_pg", "ci", "basic", "sk-pgpgpg", [1], 1, Ct);
        var t = new Reelgate.Core.Tasks.NewTask { TaskId = "task_pg", AccountId = "acc_pg", KeyId = "key_pg", Model = "m", Param = "{}", Input = "{}", Cost = 10, Seed = 1, Now = 5 };
        await S.Tasks.CreateAsync(t, Ct);
        var c = (await S.Queue.ClaimAsync("w", 10, TimeSpan.FromSeconds(30), 3, Ct))!;
        Assert.True(await S.Queue.SucceedAsync("task_pg", c.LeaseToken, "task_pg/video.mp4", null, 20, Ct));

        var free = "INSERT INTO tasks (id, account_id, key_id, model, state, param, input, cost, seed, create_time, update_time) VALUES ('task_free', 'acc_pg', 'key_pg', 'm', 'waiting', '{}', '{}', 10, 1, 1, 1)";
        Assert.Contains("was charged 0", await TryRawAsync(free));
        Assert.Contains("has ended", await TryRawAsync("UPDATE tasks SET state = 'fail', fail_code = 'x' WHERE id = 'task_pg'"));
        Assert.Contains("never deleted", await TryRawAsync("DELETE FROM tasks WHERE id = 'task_pg'"));
        Assert.Contains("was refunded but did not fail", await TryRawAsync("INSERT INTO ledger (account_id, amount, kind, reason, task_id, created_at) VALUES ('acc_pg', 10, 'refund', 'sneaky', 'task_pg', 30); UPDATE tasks SET update_time = 31 WHERE id = 'task_pg'"));
        Assert.Contains("cannot change", await TryRawAsync("UPDATE tasks SET cost = 0 WHERE id = 'task_pg'"));
        Assert.Equal(90, await S.Accounts.GetBalanceAsync("acc_pg", Ct));
    }

    private async Task<string?> TryRawAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(_connection);
        await conn.OpenAsync(Ct);
        await using var tx = await conn.BeginTransactionAsync(Ct);
        try
        {
            foreach (var statement in sql.Split("; "))
            {
                await using var cmd = new NpgsqlCommand(statement, conn, tx);
                await cmd.ExecuteNonQueryAsync(Ct);
            }

            await tx.CommitAsync(Ct);
            return null;
        }
        catch (PostgresException e)
        {
            return e.MessageText;
        }
    }

    protected override async ValueTask CloseAsync()
    {
        if (_db is not null)
        {
            await _db.DisposeAsync();
            _db = null;
        }
    }
}
