using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Reelgate.Server.Tests.Cli;

/// <summary>Runs the built <c>reelgate</c> CLI as a real process (dotnet reelgate.dll ...).</summary>
internal static class CliRunner
{
    /// <summary>The CLI's dll, from the same configuration as this test assembly.</summary>
    public static string Dll
    {
        get
        {
            var here = AppContext.BaseDirectory; // .../tests/Reelgate.Server.Tests/bin/<Configuration>/net10.0/
            var tfm = new DirectoryInfo(here.TrimEnd('/'));
            var configuration = tfm.Parent!.Name;
            var repo = tfm.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            var dll = Path.Combine(repo, "src", "Reelgate.Cli", "bin", configuration, "net10.0", "reelgate.dll");
            Assert.True(File.Exists(dll), $"CLI not built at {dll}");
            return dll;
        }
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonNode Json => JsonNode.Parse(Stdout) ?? throw new InvalidOperationException("empty stdout");
    }

    public static async Task<Result> RunAsync(IEnumerable<string> args, IDictionary<string, string?>? env = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? Path.GetTempPath() };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // A clean slate: no REELGATE_* from the machine running the tests, no config file.
        foreach (var k in psi.Environment.Keys.Where(k => k.StartsWith("REELGATE_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(k);
        }

        psi.Environment["XDG_CONFIG_HOME"] = Path.Combine(Path.GetTempPath(), "reelgate-cli-noconfig");
        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            psi.Environment[k] = v;
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        await p.WaitForExitAsync(timeout.Token);
        return new Result(p.ExitCode, await stdout, await stderr);
    }
}
