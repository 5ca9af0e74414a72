using Reelgate.Data;
using Reelgate.Server.Options;

namespace Reelgate.Server;

/// <summary>
/// <c>reelgate-server backup FILE</c> and <c>reelgate-server restore FILE</c> for the embedded
/// SQLite database of the configured data directory (found as the server finds it:
/// <see cref="CommandConfiguration"/>). Backup copies it while servers serve and verifies the
/// copy; restore refuses while anything uses the database, checks the backup and keeps the
/// previous database. Result files are not in
/// the database (docs/backup.md). On PostgreSQL both point to pg_dump / pg_restore
/// (<see cref="Reelgate.Data.IDatabaseMaintenance"/> of the configured backend).
/// One line per outcome; exit 0 done, 1 a check failed or the database is in use, 2 bad usage.
/// </summary>
public static class BackupCommand
{
    public static Task<int> BackupAsync(string[] args) => RunAsync("backup", args);

    public static Task<int> RestoreAsync(string[] args) => RunAsync("restore", args);

    private static async Task<int> RunAsync(string verb, string[] args)
    {
        var usage = $"usage: reelgate-server {verb} <file> [--Reelgate:DataDirectory <dir>]";
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(usage);
            return 0;
        }

        if (SplitFile(args) is not var (file, settings))
        {
            Console.Error.WriteLine($"{verb}: {usage}");
            return 2;
        }

        var config = CommandConfiguration.Load(settings);
        var options = new ReelgateOptions();
        try
        {
            config.GetSection(ReelgateOptions.Section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"{verb}: configuration error: {e.Message} (check the Reelgate__* settings)");
            return 2;
        }

        await using var storage = CommandConfiguration.Storage(config);
        var database = storage.Maintenance();
        if (verb == "backup" && database.MissingDatabase is { } missing)
        {
            Console.Error.WriteLine($"backup: no database at {missing} (set Reelgate__DataDirectory, or ConnectionStrings__Reelgate for PostgreSQL)");
            return 2;
        }

        MaintenanceOutcome outcome;
        try
        {
            outcome = verb == "backup"
                ? await database.BackupAsync(file, CancellationToken.None)
                : await database.RestoreAsync(file, TimeProvider.System.GetUtcNow(), CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Data.Common.DbException)
        {
            // Broken infrastructure (full disk, permissions, a lock held past the busy timeout).
            // The temporary file is gone; a backup's target is untouched; a restore that got as
            // far as moving the previous database keeps it as reelgate.db.before-restore-*.
            Console.Error.WriteLine($"{verb}: FAILED: {e.Message}");
            return 1;
        }

        switch (outcome.Status)
        {
            case MaintenanceStatus.Done:
                Console.WriteLine($"{verb}: {outcome.Message}; {ResultsAdvice(verb, options)}");
                return 0;
            case MaintenanceStatus.BadInput:
                Console.Error.WriteLine($"{verb}: {outcome.Message}");
                return 2;
            case MaintenanceStatus.InUse:
                Console.Error.WriteLine($"{verb}: refused: {outcome.Message}");
                return 1;
            default:
                Console.Error.WriteLine($"{verb}: FAILED: {outcome.Message}; nothing was changed");
                return 1;
        }
    }

    /// <summary>
    /// The one file argument, and the rest for configuration (<c>--key value</c> or
    /// <c>--key=value</c>). The file is kept away from the configuration parser, which would read
    /// a path starting with '/' as a switch.
    /// </summary>
    private static (string File, string[] Settings)? SplitFile(string[] args)
    {
        string? file = null;
        var settings = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith('-') && args[i].Length > 1)
            {
                settings.Add(args[i]);
                if (!args[i].Contains('=', StringComparison.Ordinal) && i + 1 < args.Length)
                {
                    settings.Add(args[++i]);
                }
            }
            else if (file is null)
            {
                file = args[i];
            }
            else
            {
                return null;
            }
        }

        return string.IsNullOrWhiteSpace(file) ? null : (file, settings.ToArray());
    }

    private static string ResultsAdvice(string verb, ReelgateOptions options)
    {
        if (options.ResultStore == "s3")
        {
            return $"result files live in the S3 bucket {options.S3.Bucket}, not in this file";
        }

        var results = Path.GetFullPath(options.ResolvedResultsDirectory);
        return verb == "backup"
            ? $"result files are not in it: copy {results} now, after this backup (docs/backup.md)"
            : $"put the copy of the result files, taken after that backup, back in {results} (docs/backup.md)";
    }
}
