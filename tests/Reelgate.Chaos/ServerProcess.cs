using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Reelgate.Chaos;

/// <summary>
/// The real server as a child process on loopback, restartable on the same data directory.
/// <see cref="Kill"/> is SIGKILL to the server alone (like <c>kill -9</c>): its ffmpeg children
/// are orphaned exactly as they would be in production.
/// </summary>
public sealed class ServerProcess(string serverDll, string dataDirectory, string adminKey, IReadOnlyDictionary<string, string> settings, string role = "all") : IDisposable
{
    private Process? _process;

    public int Port { get; } = FreePort();

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public StringWriter Log { get; } = new();

    /// <summary>The node's role, for reports.</summary>
    public string Name => role + " node";

    /// <summary>What this process is: all, api or worker (a worker has no HTTP port; it is ready when its log says so).</summary>
    public string Role => role;

    public async Task StartAsync(TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("dotnet", [serverDll, "--urls", BaseAddress.ToString().TrimEnd('/'), "--role", role])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["Reelgate__DataDirectory"] = dataDirectory;
        psi.Environment["Reelgate__AdminKey"] = adminKey;
        foreach (var (k, v) in settings)
        {
            psi.Environment[k] = v;
        }

        lock (Log)
        {
            Log.GetStringBuilder().Clear(); // readiness is read from this start's log
        }

        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => Append(e.Data);
        p.ErrorDataReceived += (_, e) => Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (p.HasExited)
            {
                throw new InvalidOperationException($"server exited with {p.ExitCode} at start");
            }

            if (role == "worker")
            {
                lock (Log)
                {
                    if (Log.ToString().Contains("worker(s) on this node", StringComparison.Ordinal))
                    {
                        return;
                    }
                }

                await Task.Delay(50);
                continue;
            }

            try
            {
                if ((await http.GetAsync(new Uri(BaseAddress, "/healthz"))).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow start.
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("server did not answer /healthz in time");
    }

    public bool IsRunning => _process is { HasExited: false };

    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: false);
            p.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (Log)
        {
            Log.WriteLine(line);
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
