using System.Diagnostics;

namespace Reelgate.Testing;

/// <summary>
/// The npm clients written by others that tests drive (tests/npm, pinned by its lock file),
/// installed by scripts/install-npm-clients.sh (run-tests.sh starts it in the background; this
/// waits for it, or runs it). Missing node or registry: fails in CI (<c>CI=true</c>), skips loudly
/// elsewhere.
/// </summary>
public static class NpmClients
{
    private static readonly Lazy<Task<string?>> Installed = new(InstallAsync);

    /// <summary>The repository's root (the directory holding Reelgate.slnx).</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Reelgate.slnx")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Reelgate.slnx not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>tests/npm/node_modules, installed; skips (or fails in CI) when it cannot be.</summary>
    public static async Task<string> NodeModulesAsync()
    {
        if (await Installed.Value is { } problem)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                Assert.Fail(problem);
            }

            Console.Error.WriteLine("SKIPPED: " + problem);
            Assert.Skip(problem);
        }

        return Path.Combine(RepoRoot, "tests", "npm", "node_modules");
    }

    private static async Task<string?> InstallAsync()
    {
        var script = Path.Combine(RepoRoot, "scripts", "install-npm-clients.sh");
        var start = new ProcessStartInfo(script) { RedirectStandardError = true, RedirectStandardOutput = true };
        try
        {
            using var p = Process.Start(start)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var error = p.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(12));
            await p.WaitForExitAsync(timeout.Token);
            return p.ExitCode == 0 ? null : $"scripts/install-npm-clients.sh exited with {p.ExitCode}: {await error}{await output}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException)
        {
            return "scripts/install-npm-clients.sh could not run: " + e.Message;
        }
    }
}
