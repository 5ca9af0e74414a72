using System.Reflection;
using Microsoft.Data.Sqlite;

namespace Reelgate.Data.Sqlite;

/// <summary>
/// The embedded database: one SQLite file in WAL mode. SQLite allows one writer at a time, so
/// every write transaction runs on a single long-lived connection behind an async gate
/// (river's "single writer" habit): writers queue in memory instead of spinning on
/// SQLITE_BUSY. Reads use pooled connections and run concurrently with the writer.
/// synchronous=FULL: a commit is on disk before the caller is answered.
/// </summary>
public sealed class SqliteDatabase : IAsyncDisposable
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly string _readConnectionString;
    private readonly string _writeConnectionString;
    private SqliteConnection? _writer;

    private readonly int _busyTimeoutMs;

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
    }

    public string Path { get; }

    /// <summary>Creates or upgrades the schema. Forward-only, versioned, one transaction per step.</summary>
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

    public int SchemaVersion => Migrations().Max(m => m.Version);

    /// <summary>Opens a pooled read connection.</summary>
    public async Task<SqliteConnection> OpenReadAsync(CancellationToken ct)
    {
        var conn = new SqliteConnection(_readConnectionString);
        await conn.OpenAsync(ct);
        return conn;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one IMMEDIATE transaction on the single writer connection
    /// and commits; any exception rolls the whole transaction back.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct);
        try
        {
            var conn = await WriterAsync(ct);
            using var tx = conn.BeginTransaction(deferred: false);
            try
            {
                var result = await work(conn, tx);
                tx.Commit();
                return result;
            }
            catch
            {
                SafeRollback(tx);
                throw;
            }
        }
        catch (SqliteException)
        {
            // A broken writer (disk full, I/O error) is replaced on the next write.
            await ResetWriterAsync();
            throw;
        }
        finally
        {
            _writeGate.Release();
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
        var conn = new SqliteConnection(_writeConnectionString);
        await conn.OpenAsync(ct);
        await Execute(conn, null, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=" + _busyTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture) + ";", ct);
        _writer = conn;
        return conn;
    }

    private async Task ResetWriterAsync()
    {
        if (_writer is { } w)
        {
            _writer = null;
            await w.DisposeAsync();
        }
    }

    internal static async Task<int> Execute(SqliteConnection conn, SqliteTransaction? tx, string sql, CancellationToken ct)
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
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
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
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
        await _writeGate.WaitAsync();
        try
        {
            await ResetWriterAsync();
        }
        finally
        {
            _writeGate.Release();
        }

        SqliteConnection.ClearAllPools();
    }
}
