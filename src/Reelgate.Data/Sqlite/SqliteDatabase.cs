using System.Reflection;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Reelgate.Data.Sqlite;

/// <summary>
/// The embedded database: one SQLite file in WAL mode. SQLite allows one writer at a time, so
/// every write transaction runs on a single long-lived connection behind an async gate
/// (river's "single writer" habit): writers queue in memory instead of spinning on
/// SQLITE_BUSY. Reads use pooled connections and run concurrently with the writer.
/// synchronous=FULL: a commit is on disk before the caller is answered.
/// </summary>
public sealed class SqliteDatabase : IReelgateDatabase, IAsyncDisposable
{
    private const int MaxBatch = 256;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Channel<WriteItem> _queue = Channel.CreateUnbounded<WriteItem>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _writerLoop;
    private readonly string _readConnectionString;
    private readonly string _writeConnectionString;
    private SqliteConnection? _writer;
    private readonly ReadConnectionPool _reads;

    private readonly int _busyTimeoutMs;
    private DatabaseUseLock? _useLock;

    /// <param name="path">The database file.</param>
    /// <param name="busyTimeout">
    /// How long a statement waits for a lock held by another process (a backup tool, a stray
    /// sqlite3 shell) before it fails; the request then gets 500 server error.
    /// </param>
    public SqliteDatabase(string path, TimeSpan? busyTimeout = null)
    {
        Path = path;
        _busyTimeoutMs = (int)(busyTimeout ?? TimeSpan.FromSeconds(10)).TotalMilliseconds;
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = Math.Max(1, _busyTimeoutMs / 1000),
        };
        _writeConnectionString = builder.ToString();
        builder.Mode = SqliteOpenMode.ReadWrite;
        _readConnectionString = builder.ToString();
        _reads = new ReadConnectionPool(_readConnectionString, Math.Clamp(Environment.ProcessorCount * 4, 8, 64));
    }

    public string Path { get; }

    public string Description => "SQLite " + Path;

    /// <summary>
    /// Creates or upgrades the schema: forward-only, versioned (embedded
    /// <c>Sqlite/Migrations/NNNN_name.sql</c>). Every pending step runs in one write transaction,
    /// which the writer opens with <c>BEGIN IMMEDIATE</c>: SQLite's write lock is taken before the
    /// current version is read, so processes starting together on one data directory migrate
    /// once (the others wait up to the busy timeout, then find nothing left to do), and a failed
    /// step leaves the schema as it was.
    /// </summary>
    public async Task MigrateAsync(CancellationToken ct)
    {
        await WriteAsync(async (conn, tx) =>
        {
            await Execute(conn, tx, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", ct);
            var current = Convert.ToInt32(await Scalar(conn, tx, "SELECT COALESCE(MAX(version), 0) FROM schema_version", ct), System.Globalization.CultureInfo.InvariantCulture);
            foreach (var (version, sql) in Migrations().Where(m => m.Version > current))
            {
                await Execute(conn, tx, sql, ct);
                using var record = conn.CreateCommand();
                record.Transaction = tx;
                record.CommandText = "INSERT INTO schema_version (version) VALUES ($version)";
                record.Parameters.AddWithValue("$version", version);
                await record.ExecuteNonQueryAsync(ct);
            }

            return 0;
        }, ct);
    }

    /// <summary>
    /// The database holds API key hashes, the ledger and (protected) webhook secrets: the file is
    /// created with mode 0600, like the data directory's signing key, and an existing file (or its
    /// WAL and shared-memory files) readable by group or others is narrowed to 0600. SQLite gives
    /// the -wal and -shm files it creates the database file's mode.
    /// </summary>
    private void MakeFilesPrivate()
    {
        if (OperatingSystem.IsWindows() || Path == ":memory:")
        {
            return;
        }

        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        if (!File.Exists(Path))
        {
            try
            {
                using var _ = new FileStream(Path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Private });
            }
            catch (IOException) when (File.Exists(Path))
            {
                // Another process created it first; narrowed below.
            }
        }

        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm" })
        {
            if (File.Exists(file) && (File.GetUnixFileMode(file) & ~Private) != 0)
            {
                File.SetUnixFileMode(file, Private);
            }
        }
    }

    public int SchemaVersion => NewestSchemaVersion;

    /// <summary>The newest migration this build has: what <see cref="MigrateAsync"/> brings a database to.</summary>
    public static int NewestSchemaVersion => Migrations().Max(m => m.Version);

    /// <summary>Reads the schema version on a pooled read connection: the file is there and readable (WAL: never blocked by the writer).</summary>
    public async Task PingAsync(CancellationToken ct)
    {
        await using var conn = await OpenReadAsync(ct);
        await Scalar(conn, null, "SELECT MAX(version) FROM schema_version", ct);
    }

    /// <summary>
    /// An open read connection from this database's pool, with its prepared statements kept
    /// between uses; disposing it returns it to the pool.
    /// </summary>
    public Task<SqliteConnection> OpenReadAsync(CancellationToken ct) => _reads.RentAsync(ct);

    /// <summary>
    /// Runs <paramref name="work"/> atomically on the single writer connection and returns once
    /// it is committed to disk. Group commit: writes that arrive while another batch commits are
    /// run together in one IMMEDIATE transaction, each inside its own SAVEPOINT, and made durable
    /// by one commit (one fsync). A work item that throws rolls back only its own savepoint and
    /// gets the exception; if the commit itself fails, every item of the batch gets the error and
    /// nothing of it is kept. Durability is unchanged: no caller is answered before its commit.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var item = new WriteItem<T>(work, ct);
        if (!_queue.Writer.TryWrite(item))
        {
            throw new ObjectDisposedException(nameof(SqliteDatabase));
        }

        EnsureWriterLoop();
        return item.Task;
    }

    private void EnsureWriterLoop()
    {
        if (_writerLoop is null)
        {
            lock (_queue)
            {
                _writerLoop ??= Task.Run(WriterLoopAsync);
            }
        }
    }

    private async Task WriterLoopAsync()
    {
        var batch = new List<WriteItem>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            await _writeGate.WaitAsync();
            try
            {
                await RunBatchAsync(batch);
            }
            finally
            {
                _writeGate.Release();
            }
        }
    }

    private async Task RunBatchAsync(List<WriteItem> batch)
    {
        SqliteTransaction? tx = null;
        try
        {
            var conn = await WriterAsync(CancellationToken.None);
            tx = conn.BeginTransaction(deferred: false);
            foreach (var item in batch)
            {
                if (item.Cancellation.IsCancellationRequested)
                {
                    item.Fail(new OperationCanceledException(item.Cancellation));
                    continue;
                }

                await Execute(conn, tx, "SAVEPOINT w", CancellationToken.None);
                try
                {
                    await item.RunAsync(conn, tx);
                    await Execute(conn, tx, "RELEASE w", CancellationToken.None);
                }
                catch (Exception e) when (e is not SqliteException { SqliteErrorCode: 10 or 11 or 13 or 26 })
                {
                    // Only this item's changes are undone; I/O, corruption and full-disk errors
                    // (codes 10, 11, 13, 26) abort the whole batch below instead.
                    await Execute(conn, tx, "ROLLBACK TO w; RELEASE w", CancellationToken.None);
                    item.Fail(e);
                }
            }

            tx.Commit();
        }
        catch (Exception e)
        {
            if (tx is not null)
            {
                SafeRollback(tx);
            }

            // A broken writer (locked by another process, disk full, I/O error) is replaced.
            await ResetWriterAsync();
            foreach (var item in batch)
            {
                item.Fail(e);
            }

            return;
        }
        finally
        {
            tx?.Dispose();
        }

        foreach (var item in batch)
        {
            item.Complete();
        }
    }

    private static void SafeRollback(SqliteTransaction tx)
    {
        try
        {
            tx.Rollback();
        }
        catch (SqliteException)
        {
            // The transaction is already gone (SQLite rolled it back itself).
        }
        catch (InvalidOperationException)
        {
            // Already completed.
        }
    }

    private async Task<SqliteConnection> WriterAsync(CancellationToken ct)
    {
        if (_writer is not null)
        {
            return _writer;
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        _useLock ??= DatabaseUseLock.TryAcquireShared(Path)
            ?? throw new InvalidOperationException($"{Path} is being restored (reelgate-server restore holds {DatabaseUseLock.PathFor(Path)}); start again when the restore has finished");
        MakeFilesPrivate();
        var conn = new SqliteConnection(_writeConnectionString);
        await conn.OpenAsync(ct);
        await Execute(conn, null, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA busy_timeout=" + _busyTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture) + ";", ct);
        PreparedCommands.Enable(conn);
        _writer = conn;
        return conn;
    }

    private async Task ResetWriterAsync()
    {
        if (_writer is { } w)
        {
            _writer = null;
            PreparedCommands.Release(w);
            await w.DisposeAsync();
        }
    }

    internal static async Task<int> Execute(SqliteConnection conn, SqliteTransaction? tx, string sql, CancellationToken ct)
    {
        using var cmd = TaskRows.Command(conn, tx, sql);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    internal static async Task<object?> Scalar(SqliteConnection conn, SqliteTransaction? tx, string sql, CancellationToken ct)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return await cmd.ExecuteScalarAsync(ct);
    }

    private static IEnumerable<(int Version, string Sql)> Migrations()
    {
        var asm = Assembly.GetExecutingAssembly();
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.Contains(".Sqlite.Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            // Resource names end with "_NNNN_description.sql"; the number is the version.
            var file = name[(name.LastIndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..];
            var version = int.Parse(file[..file.IndexOf('_', StringComparison.Ordinal)].TrimStart('_'), System.Globalization.CultureInfo.InvariantCulture);
            using var stream = asm.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            yield return (version, reader.ReadToEnd());
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writerLoop is not null)
        {
            await _writerLoop;
        }

        await _writeGate.WaitAsync();
        try
        {
            await ResetWriterAsync();
        }
        finally
        {
            _writeGate.Release();
        }

        _reads.Clear();
        SqliteConnection.ClearAllPools();
        _useLock?.Dispose();
    }
}
