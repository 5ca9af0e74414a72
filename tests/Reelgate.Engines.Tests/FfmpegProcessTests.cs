using System.Diagnostics;
using Reelgate.Engines.Ffmpeg;

namespace Reelgate.Engines.Tests;

/// <summary>The one runner every ffmpeg and ffprobe start goes through: its environment, its kill, its error tail.</summary>
public sealed class FfmpegProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void ScrubEnvironment_RemovesReelgateSettings_AndKeepsTheRest()
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["PATH"] = "/usr/bin",
            ["Reelgate__AdminKey"] = "secret",
            ["REELGATE__ENGINES__ARK__APIKEY"] = "secret",
            ["REELGATE_API_KEY"] = "secret",
            ["HOME"] = "/home/x",
            ["NOT_Reelgate__"] = "kept",
        };

        FfmpegProcess.ScrubEnvironment(environment);

        Assert.Equal(["HOME", "NOT_Reelgate__", "PATH"], environment.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunAsync_ChildSeesNoReelgateSettings_WhenTheServerHasThem()
    {
        const string Secret = "runner-secret-never-in-a-child-9876543210";
        Environment.SetEnvironmentVariable("Reelgate__FfmpegProcessTest", Secret);
        try
        {
            var exit = await FfmpegProcess.RunAsync("/usr/bin/env", [], new FfmpegRun { CaptureOutput = true }, Ct);

            Assert.True(exit.Succeeded);
            Assert.Contains("PATH=", exit.Output, StringComparison.Ordinal); // the dump is real
            Assert.DoesNotContain(Secret, exit.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Reelgate__", exit.Output, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            Environment.SetEnvironmentVariable("Reelgate__FfmpegProcessTest", null);
        }
    }

    [Fact]
    public async Task RunAsync_KillsTheWholeProcessTree_WhenCancelled()
    {
        var dir = Directory.CreateTempSubdirectory("reelgate-runner-").FullName;
        try
        {
            // A parent that starts a child, says where both are, reports "progress", then waits.
            var pids = Path.Combine(dir, "pids");
            var script = $"sleep 600 & echo $! > '{pids}'; echo $$ >> '{pids}'; echo frame=1; wait";
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var run = FfmpegProcess.RunAsync("/bin/sh", ["-c", script], new FfmpegRun { Progress = new Callback(_ => started.TrySetResult()), ProgressFrames = 1 }, cts.Token);

            await started.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            await cts.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            var ids = (await File.ReadAllLinesAsync(pids, Ct)).Select(int.Parse).ToList();
            Assert.Equal(2, ids.Count);
            Assert.All(ids, id => Assert.False(IsRunning(id), $"process {id} outlived the cancelled run"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_KillsAndSaysTimedOut_WhenItsTimeoutPasses()
    {
        var clock = Stopwatch.StartNew();

        var exit = await FfmpegProcess.RunAsync("/bin/sleep", ["600"], new FfmpegRun { Timeout = TimeSpan.FromMilliseconds(200) }, Ct);

        Assert.True(exit.TimedOut);
        Assert.False(exit.Succeeded);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task RunAsync_ReturnsExitCodeAndStderrTail_WhenFfmpegFails()
    {
        var exit = await FfmpegProcess.RunAsync("/usr/bin/ffmpeg", ["-hide_banner", "-v", "error", "-i", "/nonexistent/input.mp4", "-f", "null", "-"], FfmpegRun.Default, Ct);

        Assert.NotEqual(0, exit.ExitCode);
        Assert.False(exit.TimedOut);
        Assert.Contains("No such file or directory", exit.ErrorTail, StringComparison.Ordinal);
        Assert.True(exit.ErrorTail.Length <= 300);
    }

    [Fact]
    public async Task RunAsync_ReportsFrameProgress_AsPercentOfTheExpectedFrames()
    {
        var seen = new List<int>();

        var exit = await FfmpegProcess.RunAsync("/bin/sh", ["-c", "echo frame=12; echo fps=24; echo frame=24; echo frame=48"], new FfmpegRun { Progress = new Callback(seen.Add), ProgressFrames = 48 }, Ct);

        Assert.True(exit.Succeeded);
        Assert.Equal([25, 50, 99], seen); // never 100 before the caller has the file
    }

    /// <summary>Running unless gone or a zombie (an orphan nobody has reaped yet is dead all the same).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private sealed class Callback(Action<int> action) : IProgress<int>
    {
        public void Report(int value) => action(value);
    }
}
