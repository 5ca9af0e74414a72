using Microsoft.Data.Sqlite;
using Reelgate.Data.Sqlite;

namespace Reelgate.Data.Tests;

/// <summary>The pool of open read connections behind recordInfo and every other read.</summary>
public sealed class ReadConnectionPoolTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("reelgate-pool-").FullName;
    private SqliteDatabase _db = null!;

    public async ValueTask InitializeAsync()
    {
        _db = new SqliteDatabase(Path.Combine(_dir, "reelgate.db"));
        await _db.MigrateAsync(TestContext.Current.CancellationToken);
        await _db.WriteAsync(async (c, tx) => await Exec(c, tx, "CREATE TABLE t (v INTEGER)"), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_returned_connection_is_reused_and_still_open()
    {
        var ct = TestContext.Current.CancellationToken;
        SqliteConnection first;
        await using (var c = await _db.OpenReadAsync(ct))
        {
            first = c;
        }

        await using var again = await _db.OpenReadAsync(ct);
        Assert.Same(first, again);
        Assert.Equal(System.Data.ConnectionState.Open, again.State);
    }

    [Fact]
    public async Task A_pooled_connection_sees_writes_committed_after_its_last_use()
    {
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(0L, await Count(ct));
        for (var i = 1; i <= 5; i++)
        {
            await _db.WriteAsync(async (c, tx) => await Exec(c, tx, "INSERT INTO t (v) VALUES (1)"), ct);
            Assert.Equal(i, await Count(ct));
        }
    }

    [Fact]
    public async Task A_connection_given_back_inside_a_transaction_is_closed_not_reused()
    {
        var ct = TestContext.Current.CancellationToken;
        SqliteConnection leaked;
        await using (var c = await _db.OpenReadAsync(ct))
        {
            leaked = c;
            _ = c.BeginTransaction(deferred: true); // never disposed: its snapshot must not be handed on
        }

        await using var next = await _db.OpenReadAsync(ct);
        Assert.NotSame(leaked, next);
        Assert.Equal(System.Data.ConnectionState.Closed, leaked.State);
    }

    [Fact]
    public async Task Many_more_concurrent_readers_than_the_pool_keeps_all_succeed()
    {
        var ct = TestContext.Current.CancellationToken;
        await _db.WriteAsync(async (c, tx) => await Exec(c, tx, "INSERT INTO t (v) VALUES (7)"), ct);
        var reads = Enumerable.Range(0, 300).Select(_ => Task.Run(async () =>
        {
            await using var c = await _db.OpenReadAsync(ct);
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT SUM(v) FROM t";
            await Task.Yield();
            return (long)(await cmd.ExecuteScalarAsync(ct))!;
        }, ct));
        Assert.All(await Task.WhenAll(reads), v => Assert.Equal(7L, v));
    }

    private async Task<long> Count(CancellationToken ct)
    {
        await using var c = await _db.OpenReadAsync(ct);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM t";
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task<int> Exec(SqliteConnection c, SqliteTransaction tx, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return await cmd.ExecuteNonQueryAsync();
    }
}
