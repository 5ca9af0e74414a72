using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Reelgate.Data.Sqlite;

/// <summary>
/// A read connection that stays open between requests with its prepared statements
/// (<see cref="PreparedCommands"/>), so a read such as recordInfo costs one bind and one step
/// instead of an open, a prepare, a step and a finalize. Callers write <c>await using</c> as with
/// any connection: disposing hands it back to its pool. A connection left in a transaction or
/// not open is really closed instead of pooled; the pool keeps at most
/// <see cref="ReadConnectionPool.Capacity"/> idle connections.
/// </summary>
internal sealed class PooledReadConnection(string connectionString, ReadConnectionPool pool) : SqliteConnection(connectionString)
{
    private bool _closing;

    /// <summary>Really closes the connection (and finalizes its statements).</summary>
    public void CloseForGood()
    {
        _closing = true;
        PreparedCommands.Release(this);
        base.Dispose(true);
    }

    protected override void Dispose(bool disposing)
    {
        if (_closing || !disposing)
        {
            base.Dispose(disposing);
            return;
        }

        if (State != System.Data.ConnectionState.Open || Transaction is not null || !pool.Return(this))
        {
            CloseForGood();
        }
    }
}

/// <summary>The idle read connections of one database.</summary>
internal sealed class ReadConnectionPool(string connectionString, int capacity)
{
    private readonly ConcurrentBag<PooledReadConnection> _idle = [];
    private int _count;
    private volatile bool _closed;

    public int Capacity => capacity;

    public async Task<SqliteConnection> RentAsync(CancellationToken ct)
    {
        if (_idle.TryTake(out var conn))
        {
            Interlocked.Decrement(ref _count);
            return conn;
        }

        conn = new PooledReadConnection(connectionString, this);
        try
        {
            await conn.OpenAsync(ct);
        }
        catch
        {
            conn.CloseForGood();
            throw;
        }

        PreparedCommands.Enable(conn);
        return conn;
    }

    public bool Return(PooledReadConnection conn)
    {
        if (_closed || Interlocked.Increment(ref _count) > capacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }

        _idle.Add(conn);
        return true;
    }

    /// <summary>Closes every idle connection; connections returned later are closed, not kept.</summary>
    public void Clear()
    {
        _closed = true;
        while (_idle.TryTake(out var conn))
        {
            Interlocked.Decrement(ref _count);
            conn.CloseForGood();
        }
    }
}
