using Microsoft.Data.Sqlite;
using Npgsql;
using Reelgate.Core.Accounts;
using Reelgate.Testing;

[assembly: AssemblyFixture(typeof(Reelgate.Testing.PostgresServer))]

namespace Reelgate.Data.Tests.Conformance;

/// <summary>The account store conformance suite on the embedded SQLite backend.</summary>
public sealed class SqliteAccountStoreTests : AccountStoreConformance
{
    private readonly string _dir = Directory.CreateTempSubdirectory("reelgate-conf-").FullName;
    private Backend? _backend;

    protected override async Task<IAccountStore> CreateStoreAsync()
    {
        _backend = Backend.Sqlite(_dir);
        return (await _backend.OpenAsync(Ct)).Accounts;
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

    protected override async Task ForceLedgerAsync(string accountId, long credits, params long[] amounts)
    {
        // SQLite's ledger does not move the balance by itself: rows and balance are written apart.
        await using var conn = new SqliteConnection($"Data Source={Path.Combine(_dir, "reelgate.db")}");
        await conn.OpenAsync(Ct);
        await using var tx = conn.BeginTransaction();
        foreach (var amount in amounts)
        {
            await using var ins = conn.CreateCommand();
            ins.Transaction = tx;
            ins.CommandText = "INSERT INTO ledger (account_id, amount, kind, reason, created_at) VALUES ($a, $n, 'adjust', 'forced', 9)";
            ins.Parameters.AddWithValue("$a", accountId);
            ins.Parameters.AddWithValue("$n", amount);
            await ins.ExecuteNonQueryAsync(Ct);
        }

        await using var upd = conn.CreateCommand();
        upd.Transaction = tx;
        upd.CommandText = "UPDATE accounts SET credits = $c WHERE id = $a";
        upd.Parameters.AddWithValue("$a", accountId);
        upd.Parameters.AddWithValue("$c", credits);
        await upd.ExecuteNonQueryAsync(Ct);
        await tx.CommitAsync(Ct);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>The same suite on PostgreSQL (a real server started for this test assembly).</summary>
public sealed class PostgresAccountStoreTests(PostgresServer server) : AccountStoreConformance
{
    private Backend? _backend;
    private string _connection = "";

    protected override async Task<IAccountStore> CreateStoreAsync()
    {
        _connection = await server.CreateDatabaseAsync();
        _backend = Backend.Postgres(_connection);
        var stores = await _backend.OpenAsync(Ct);
        await stores.Database.MigrateAsync(Ct); // idempotent: a second node starting later changes nothing
        return stores.Accounts;
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

    protected override async Task ForceLedgerAsync(string accountId, long credits, params long[] amounts)
    {
        // Replica mode switches the triggers off for this transaction (the test server's user is a
        // superuser): the rows go in without moving the balance, and the balance is set directly.
        await using var conn = new NpgsqlConnection(_connection);
        await conn.OpenAsync(Ct);
        await using var tx = await conn.BeginTransactionAsync(Ct);
        await using (var replica = new NpgsqlCommand("SET LOCAL session_replication_role = replica", conn, tx))
        {
            await replica.ExecuteNonQueryAsync(Ct);
        }

        foreach (var amount in amounts)
        {
            await using var ins = new NpgsqlCommand("INSERT INTO ledger (account_id, amount, kind, reason, created_at) VALUES ($1, $2, 'adjust', 'forced', 9)", conn, tx);
            ins.Parameters.AddWithValue(accountId);
            ins.Parameters.AddWithValue(amount);
            await ins.ExecuteNonQueryAsync(Ct);
        }

        await using var upd = new NpgsqlCommand("UPDATE accounts SET credits = $2 WHERE id = $1", conn, tx);
        upd.Parameters.AddWithValue(accountId);
        upd.Parameters.AddWithValue(credits);
        await upd.ExecuteNonQueryAsync(Ct);
        await tx.CommitAsync(Ct);
    }

    [Fact]
    public async Task Migration6_CapsABalanceAboveTheBound_WithALedgerRow()
    {
        // A schema-5 database in which an account was given long.MaxValue credits (allowed then);
        // the later migrations are forgotten too, so MigrateAsync runs 6 again.
        Assert.Null(await TryRawAsync("ALTER TABLE accounts DROP CONSTRAINT accounts_credits_at_most_bound; DELETE FROM schema_version WHERE version >= 6"));
        await Store.CreateAccountAsync("acc_pg_huge", "huge", 0, 1, Ct);
        await ForceLedgerAsync("acc_pg_huge", long.MaxValue, long.MaxValue);

        await _backend!.Database.MigrateAsync(Ct);

        Assert.Equal(Credits.MaxBalance, await Store.GetBalanceAsync("acc_pg_huge", Ct));
        Assert.Equal(Credits.MaxBalance - long.MaxValue, (await Store.LedgerAsync("acc_pg_huge", null, 1, Ct))[0].Amount);
        Assert.All(await Store.AuditAsync(Ct), e => Assert.True(e.Ok, $"{e.AccountId}: balance {e.Balance} != ledger {e.LedgerSum}"));
        Assert.Equal(CreditAdjustStatus.BalanceLimit, (await Store.AdjustCreditsAsync("acc_pg_huge", 1, "top-up", 2, Ct)).Status);
    }

    [Fact]
    public async Task TheDatabaseItself_RefusesALedgerRowThatTakesTheBalancePastTheBound()
    {
        await Store.CreateAccountAsync("acc_pg_bound", "bound", Credits.MaxBalance, 1, Ct);

        Assert.Contains("accounts_credits_at_most_bound", await TryRawAsync("INSERT INTO ledger (account_id, amount, kind, reason, created_at) VALUES ('acc_pg_bound', 1, 'adjust', 'raw', 2)"));
        Assert.Contains("out of range", await TryRawAsync("INSERT INTO ledger (account_id, amount, kind, reason, created_at) VALUES ('acc_pg_bound', 9223372036854775807, 'adjust', 'raw', 2)"));
        Assert.Equal(Credits.MaxBalance, await Store.GetBalanceAsync("acc_pg_bound", Ct));
    }

    public override async ValueTask DisposeAsync()
    {
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
    }
}

/// <summary>The task store conformance suite on SQLite.</summary>
public sealed class SqliteTaskStoreTests : TaskStoreConformance
{
    private readonly string _dir = Directory.CreateTempSubdirectory("reelgate-conf-").FullName;
    private Backend? _backend;

    protected override Task<StoreSet> OpenAsync()
    {
        _backend = Backend.Sqlite(_dir);
        return _backend.OpenAsync(Ct);
    }

    protected override async Task<string?> TryRawAsync(string sql)
    {
        // A connection of its own, as any other writer of the file would open.
        await using var conn = new SqliteConnection($"Data Source={Path.Combine(_dir, "reelgate.db")};Pooling=False");
        await conn.OpenAsync(Ct);
        await using var tx = conn.BeginTransaction();
        try
        {
            foreach (var statement in sql.Split("; "))
            {
                await using var cmd = conn.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = statement;
                await cmd.ExecuteNonQueryAsync(Ct);
            }

            await tx.CommitAsync(Ct);
            return null;
        }
        catch (SqliteException e)
        {
            return e.Message;
        }
    }

    protected override async ValueTask CloseAsync()
    {
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
            _backend = null;
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
    private Backend? _backend;
    private string? _connection;

    protected override async Task<StoreSet> OpenAsync()
    {
        _connection ??= await server.CreateDatabaseAsync();
        _backend = Backend.Postgres(_connection);
        return await _backend.OpenAsync(Ct);
    }

    protected override async Task<string?> TryRawAsync(string sql)
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
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
            _backend = null;
        }
    }
}

/// <summary>The signals of the SQLite registration: in process, one node.</summary>
public sealed class SqliteClusterSignalsTests : ClusterSignalsConformance
{
    private readonly string _dir = Directory.CreateTempSubdirectory("reelgate-conf-").FullName;

    protected override Task<Backend> OpenAsync() => Task.FromResult(Backend.Sqlite(_dir));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>The signals of the PostgreSQL registration: LISTEN/NOTIFY on the database.</summary>
public sealed class PostgresClusterSignalsTests(PostgresServer server) : ClusterSignalsConformance
{
    protected override async Task<Backend> OpenAsync() => Backend.Postgres(await server.CreateDatabaseAsync());
}
