namespace Reelgate.Data.Sqlite;

/// <summary>
/// An advisory lock on the file <c>reelgate.db.in-use</c> beside the database that says who uses
/// it. Every <see cref="SqliteDatabase"/> (a server of any role, the audit and backup commands)
/// holds it shared while it is open, so several processes can share one data directory;
/// <c>reelgate-server restore</c> holds it exclusive while it swaps the file. So a restore never
/// replaces a database under a running process, and no process opens the database half-way
/// through a restore.
/// <para>
/// .NET implements <see cref="FileShare"/> on Linux with <c>flock(2)</c>: the kernel drops the
/// lock when its process dies, so a crash leaves no stale lock behind, and two opens in one
/// process conflict like two processes do. The file stays empty and is never deleted (a new file
/// would be a new, unrelated lock).
/// </para>
/// </summary>
public sealed class DatabaseUseLock : IDisposable
{
    private readonly FileStream? _file;

    private DatabaseUseLock(FileStream? file) => _file = file;

    /// <summary>False when the lock file could not be created (a read-only copy of a data directory).</summary>
    public bool Held => _file is not null;

    public static string PathFor(string databasePath) => databasePath + ".in-use";

    /// <summary>
    /// Takes the lock shared; null when a restore holds it exclusive. Where the lock file cannot
    /// be created (read-only directory) the database is used without it: no restore can run there.
    /// </summary>
    public static DatabaseUseLock? TryAcquireShared(string databasePath)
    {
        try
        {
            return Open(databasePath, FileShare.ReadWrite);
        }
        catch (UnauthorizedAccessException)
        {
            return new DatabaseUseLock(null);
        }
        catch (IOException) when (!File.Exists(PathFor(databasePath)))
        {
            return new DatabaseUseLock(null);
        }
        catch (IOException)
        {
            // The file exists and could not be locked shared: its holder has it exclusive.
            return null;
        }
    }

    /// <summary>
    /// Takes the lock exclusive; null while any process holds it (shared or exclusive). Throws when
    /// the lock file cannot be created: a restore must not go ahead unprotected.
    /// </summary>
    public static DatabaseUseLock? TryAcquireExclusive(string databasePath)
    {
        try
        {
            return Open(databasePath, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && File.Exists(PathFor(databasePath)))
        {
            return null;
        }
    }

    // Read access in both modes: flock's exclusive lock needs no write access, and a shared one
    // on a read-only handle works on every file system (.NET skips shared locks on some network
    // file systems for writable handles).
    private static DatabaseUseLock Open(string databasePath, FileShare share) =>
        new(new FileStream(PathFor(databasePath), FileMode.OpenOrCreate, FileAccess.Read, share));

    public void Dispose() => _file?.Dispose();
}
