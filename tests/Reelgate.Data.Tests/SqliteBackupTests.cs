using Microsoft.Data.Sqlite;
using Reelgate.Core.Tasks;
using Reelgate.Data.Sqlite;

namespace Reelgate.Data.Tests;

/// <summary>
/// <see cref="SqliteBackup"/> and <see cref="SqliteRestore"/> in process: a verified snapshot while
/// the single writer commits, and every reason a restore must refuse. The commands around them
/// are tested as real processes against a serving server in Reelgate.Server.Tests.
/// </summary>
public sealed class SqliteBackupTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);

    private readonly string _dir = Directory.CreateTempSubdirectory("reelgate-backup-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Live => Path.Combine(_dir, "live", "reelgate.db");

    private string Target => Path.Combine(_dir, "target", "reelgate.db");

    [Fact]
    public async Task BackupAsync_WritesAVerifiedSnapshot_WhileTasksAreCreatedAndEnded()
    {
        await using var db = new SqliteDatabase(Live);
        await db.MigrateAsync(Ct);
        var accounts = new SqliteAccountStore(db);
        var tasks = new SqliteTaskStore(db);
        ITaskQueue queue = new SqliteTaskQueue(db);
        for (var a = 0; a < 4; a++)
        {
            await accounts.CreateAccountAsync($"acc_{a}", "load", 1_000_000, 1, Ct);
            await accounts.CreateKeyAsync($"key_{a}", $"acc_{a}", "k", "unlimited", $"sk-key{a}", [1], Reelgate.Core.Accounts.KeyLimits.None, 1, Ct);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var created = 0;
        var load = Enumerable.Range(0, 4).Select(a => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var id = $"task_{a}_{i}";
                await tasks.CreateAsync(new NewTask { TaskId = id, AccountId = $"acc_{a}", KeyId = $"key_{a}", Model = "m", Param = "{}", Input = "{}", Cost = 10, Seed = i, Now = i }, CancellationToken.None);
                Interlocked.Increment(ref created);
                if (await queue.ClaimAsync("w", i, TimeSpan.FromSeconds(30), 3, CancellationToken.None) is { } c)
                {
                    _ = i % 3 == 0
                        ? await queue.FailAsync(c.Task.TaskId, c.LeaseToken, FailCodes.GenerationFailed, "scripted", i, CancellationToken.None)
                        : await queue.SucceedAsync(c.Task.TaskId, c.LeaseToken, c.Task.TaskId + "/video.mp4", null, i, CancellationToken.None);
                }
            }
        })).ToList();

        try
        {
            var backups = new List<SqliteFileReport>();
            for (var n = 0; n < 3; n++)
            {
                while (Volatile.Read(ref created) < 100 * (n + 1))
                {
                    await Task.Delay(10, Ct);
                }

                var file = Path.Combine(_dir, $"backup-{n}.db");
                var outcome = await SqliteBackup.BackupAsync(Live, file, Ct);
                Assert.True(outcome.Status == MaintenanceStatus.Done, outcome.Message);
                Assert.True(outcome.Report!.Ok);
                backups.Add(outcome.Report);
                if (!OperatingSystem.IsWindows())
                {
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
                }

                Assert.False(File.Exists(file + "-wal"));
            }

            // Later backups hold more: each is a snapshot of a later commit.
            Assert.True(backups[0].Count("tasks") <= backups[1].Count("tasks") && backups[1].Count("tasks") <= backups[2].Count("tasks"));
            Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(load);
        }
    }

    [Fact]
    public async Task BackupAsync_RefusesTheDatabaseItself_AndAMissingDirectory()
    {
        await using (var db = new SqliteDatabase(Live))
        {
            await db.MigrateAsync(Ct);
        }

        Assert.Equal(MaintenanceStatus.BadInput, (await SqliteBackup.BackupAsync(Live, Live, Ct)).Status);
        Assert.Equal(MaintenanceStatus.BadInput, (await SqliteBackup.BackupAsync(Live, Live + "-wal", Ct)).Status);
        Assert.Equal(MaintenanceStatus.BadInput, (await SqliteBackup.BackupAsync(Live, Path.Combine(_dir, "nowhere", "b.db"), Ct)).Status);
        Assert.Equal(MaintenanceStatus.BadInput, (await SqliteBackup.BackupAsync(Path.Combine(_dir, "none.db"), Path.Combine(_dir, "b.db"), Ct)).Status);
    }

    [Fact]
    public async Task RestoreAsync_Refuses_WhileReelgateOrAnotherProgramHasTheDatabaseOpen_ThenKeepsTheOldOne()
    {
        var backup = await MakeBackupAsync(accounts: 2);
        await using (var old = new SqliteDatabase(Target))
        {
            await old.MigrateAsync(Ct);
            await new SqliteAccountStore(old).CreateAccountAsync("acc_old", "before the restore", 5, 1, Ct);

            // A Reelgate process holds the use lock shared.
            var refused = await SqliteRestore.RestoreAsync(backup, Target, SqliteDatabase.NewestSchemaVersion, Now, Ct);
            Assert.True(refused.Status == MaintenanceStatus.InUse, refused.Message);
            Assert.Contains("in use", refused.Message, StringComparison.Ordinal);
        }

        // Another program (say, a sqlite3 shell) with a plain connection: SQLite's own locks tell.
        await using (var shell = new SqliteConnection($"Data Source={Target};Pooling=False"))
        {
            await shell.OpenAsync(Ct);
            using var read = shell.CreateCommand();
            read.CommandText = "SELECT COUNT(*) FROM accounts";
            Assert.Equal(1L, await read.ExecuteScalarAsync(Ct));
            var refused = await SqliteRestore.RestoreAsync(backup, Target, SqliteDatabase.NewestSchemaVersion, Now, Ct);
            Assert.True(refused.Status == MaintenanceStatus.InUse, refused.Message);
            Assert.Contains("open in another program", refused.Message, StringComparison.Ordinal);
        }

        var done = await SqliteRestore.RestoreAsync(backup, Target, SqliteDatabase.NewestSchemaVersion, Now, Ct);
        Assert.True(done.Status == MaintenanceStatus.Done, done.Message);
        Assert.Equal(Target + ".before-restore-20250615T120000Z", done.KeptDatabase);
        Assert.False(File.Exists(Target + "-wal"));
        Assert.False(File.Exists(Target + "-shm"));
        Assert.Equal(1, await CountAsync(done.KeptDatabase!, "SELECT COUNT(*) FROM accounts WHERE id = 'acc_old'"));
        Assert.Equal(2, await CountAsync(Target, "SELECT COUNT(*) FROM accounts"));

        // A second restore in the same second keeps the first one's previous database too.
        var again = await SqliteRestore.RestoreAsync(backup, Target, SqliteDatabase.NewestSchemaVersion, Now, Ct);
        Assert.Equal(Target + ".before-restore-20250615T120000Z-2", again.KeptDatabase);
        Assert.True(File.Exists(done.KeptDatabase));
    }

    [Fact]
    public async Task RestoreAsync_RefusesANewerSchema_NotADatabase_AndALiveCopyWithItsWal_ChangingNothing()
    {
        var backup = await MakeBackupAsync(accounts: 1);
        await using (var old = new SqliteDatabase(Target))
        {
            await old.MigrateAsync(Ct);
        }

        var original = await File.ReadAllBytesAsync(Target, Ct);

        var newer = Path.Combine(_dir, "newer.db");
        File.Copy(backup, newer);
        await ExecAsync(newer, $"INSERT INTO schema_version (version) VALUES ({SqliteDatabase.NewestSchemaVersion + 1})");
        var outcome = await SqliteRestore.RestoreAsync(newer, Target, SqliteDatabase.NewestSchemaVersion, Now, Ct);
        Assert.True(outcome.Status == MaintenanceStatus.CheckFailed, outcome.Message);
        Assert.Contains("newer than this build", outcome.Message, StringComparison.Ordinal);

        var garbage = Path.Combine(_dir, "garbage.db");
        await File.WriteAllTextAsync(garbage, new string('x', 8192), Ct);
        outcome = await SqliteRestore.RestoreAsync(garbage, Target, SqliteDatabase.NewestSchemaVersion, Now, Ct);
        Assert.Equal(MaintenanceStatus.CheckFailed, outcome.Status);

        var unbalanced = Path.Combine(_dir, "unbalanced.db");
        File.Copy(backup, unbalanced);
        await ExecAsync(unbalanced, "UPDATE accounts SET credits = credits + 1");
        outcome = await SqliteRestore.RestoreAsync(unbalanced, Target, SqliteDatabase.NewestSchemaVersion, Now, Ct);
        Assert.True(outcome.Status == MaintenanceStatus.CheckFailed, outcome.Message);
        Assert.Contains("ledger audit failed", outcome.Message, StringComparison.Ordinal);

        var withWal = Path.Combine(_dir, "copied-live.db");
        File.Copy(backup, withWal);
        await File.WriteAllBytesAsync(withWal + "-wal", new byte[32], Ct);
        outcome = await SqliteRestore.RestoreAsync(withWal, Target, SqliteDatabase.NewestSchemaVersion, Now, Ct);
        Assert.Equal(MaintenanceStatus.CheckFailed, outcome.Status);

        Assert.Equal(MaintenanceStatus.BadInput, (await SqliteRestore.RestoreAsync(Path.Combine(_dir, "none.db"), Target, SqliteDatabase.NewestSchemaVersion, Now, Ct)).Status);

        Assert.Equal(original, await File.ReadAllBytesAsync(Target, Ct));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(Target)!, "*before-restore*"));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(Target)!, "*.restoring"));
    }

    /// <summary>A backup of a fresh database with <paramref name="accounts"/> funded accounts.</summary>
    private async Task<string> MakeBackupAsync(int accounts)
    {
        var source = Path.Combine(_dir, "source", "reelgate.db");
        await using (var db = new SqliteDatabase(source))
        {
            await db.MigrateAsync(Ct);
            for (var a = 0; a < accounts; a++)
            {
                await new SqliteAccountStore(db).CreateAccountAsync($"acc_{a}", "backed up", 100, 1, Ct);
            }
        }

        var file = Path.Combine(_dir, "backup.db");
        var outcome = await SqliteBackup.BackupAsync(source, file, Ct);
        Assert.True(outcome.Status == MaintenanceStatus.Done, outcome.Message);
        return file;
    }

    private static async Task<long> CountAsync(string path, string sql)
    {
        await using var conn = new SqliteConnection($"Data Source={path};Pooling=False");
        await conn.OpenAsync(Ct);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return (long)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    private static async Task ExecAsync(string path, string sql)
    {
        await using var conn = new SqliteConnection($"Data Source={path};Pooling=False");
        await conn.OpenAsync(Ct);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(Ct);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
