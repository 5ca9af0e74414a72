using System.Diagnostics;
using System.Text;

namespace Reelgate.Engines.Ffmpeg;

/// <summary>
/// The one way Reelgate starts ffmpeg and ffprobe (the renderer, the upstream engines' poster
/// cut, health checks). Every start gets an environment without Reelgate's settings, because
/// the admin key and the database and storage credentials may be passed to the server that
/// way and are no business of a child. A cancelled or timed-out run is killed with its whole
/// process tree and waited for, so no encoder outlives the task that started it.
/// </summary>
public static class FfmpegProcess
{
    private const int TailLines = 2;
    private const int TailChars = 300;

    /// <summary>
    /// Runs <paramref name="executable"/> to its end. Cancellation kills it and throws; the
    /// run's own timeout kills it and returns <see cref="FfmpegExit.TimedOut"/>. A missing or
    /// non-executable file throws <see cref="System.ComponentModel.Win32Exception"/> as
    /// <see cref="Process.Start()"/> does; callers decide what a missing ffmpeg means.
    /// </summary>
    public static async Task<FfmpegExit> RunAsync(string executable, IEnumerable<string> arguments, FfmpegRun run, CancellationToken ct)
    {
        var start = new ProcessStartInfo(executable, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        ScrubEnvironment(start.Environment);
        using var process = Process.Start(start)!;

        // The readers take no token: they end when the pipes close, which the kill below makes happen.
        var output = ReadOutputAsync(process.StandardOutput, run);
        var errors = ReadTailAsync(process.StandardError);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (run.Timeout is { } timeout)
        {
            limit.CancelAfter(timeout);
        }

        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None);
            await DrainAsync(output, errors);
            ct.ThrowIfCancellationRequested();
            return new FfmpegExit(-1, errors.IsCompletedSuccessfully ? errors.Result : "", output.IsCompletedSuccessfully ? output.Result : "", TimedOut: true);
        }

        return new FfmpegExit(process.ExitCode, await errors, await output, TimedOut: false);
    }

    /// <summary>Removes Reelgate's settings (<c>Reelgate__*</c>, <c>REELGATE_*</c>) from a child's environment.</summary>
    public static void ScrubEnvironment(IDictionary<string, string?> environment)
    {
        foreach (var name in environment.Keys.Where(IsReelgateSetting).ToList())
        {
            environment.Remove(name);
        }
    }

    private static bool IsReelgateSetting(string name) =>
        name.StartsWith("Reelgate__", StringComparison.OrdinalIgnoreCase) || name.StartsWith("REELGATE_", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Lets the readers see the pipes close after a kill, but never waits long: something outside
    /// the killed tree could still hold a pipe open, and a cancelled task must end now.
    /// </summary>
    private static async Task DrainAsync(Task output, Task errors)
    {
        try
        {
            await Task.WhenAll(output, errors).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // Left to finish on their own; the partial output is not wanted.
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own meanwhile.
        }
    }

    /// <summary>Reads standard output to its end (a full pipe would stall the child), reporting progress and keeping it if asked.</summary>
    private static async Task<string> ReadOutputAsync(StreamReader stdout, FfmpegRun run)
    {
        var kept = run.CaptureOutput ? new StringBuilder() : null;
        var last = 0;
        while (await stdout.ReadLineAsync() is { } line)
        {
            kept?.Append(line).Append('\n');
            if (run.Progress is { } progress && run.ProgressFrames > 0
                && line.StartsWith("frame=", StringComparison.Ordinal) && int.TryParse(line.AsSpan(6), out var frame))
            {
                var pct = Math.Min(99, frame * 100 / run.ProgressFrames);
                if (pct > last)
                {
                    last = pct;
                    progress.Report(pct);
                }
            }
        }

        return kept?.ToString() ?? "";
    }

    /// <summary>The last non-blank lines of standard error, joined and cut short; only these are kept in memory.</summary>
    private static async Task<string> ReadTailAsync(StreamReader stderr)
    {
        var tail = new Queue<string>(TailLines + 1);
        while (await stderr.ReadLineAsync() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            tail.Enqueue(line.Trim());
            if (tail.Count > TailLines)
            {
                tail.Dequeue();
            }
        }

        var joined = string.Join(" | ", tail);
        return joined.Length > TailChars ? joined[..TailChars] : joined;
    }
}
