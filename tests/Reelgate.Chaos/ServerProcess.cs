using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Reelgate.Chaos;

/// <summary>
/// The real server as a child process on loopback, restartable on the same data directory.
/// <see cref="Kill"/> is SIGKILL to the server alone (like <c>kill -9</c>): its ffmpeg children
/// are orphaned exactly as they would be in production.
/// </summary>
public sealed class ServerProcess(string serverDll, string dataDirectory, string adminKey, IReadOnlyDictionary<string, string> settings) : IDisposable
{
    private Process? _process;

    public int Port { get; } = FreePort();

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public StringWriter Log { get; } = new();

    public async Task StartAsync(TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("dotnet", [serverDll, "--urls", BaseAddress.ToString().TrimEnd('/')])
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
