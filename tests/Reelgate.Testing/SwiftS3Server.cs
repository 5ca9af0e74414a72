using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;

namespace Reelgate.Testing;

/// <summary>
/// A real S3-compatible server for tests: Debian's OpenStack Swift 2.30 (packages swift,
/// swift-proxy, swift-account, swift-container, swift-object) with the s3api middleware and
/// tempauth, as four throwaway processes on 127.0.0.1, everything (configs, rings, object data,
/// one log file) in a directory under /tmp that is deleted on dispose. Each server binds port 0
/// and reports the port it got, so no other process can take it between choosing and binding
/// (a restarted proxy binds its old port again).
/// S3 credentials: access key <c>test:tester</c>, secret <c>testing</c>, region us-east-1, path-style.
/// <para>
/// Each server runs in the foreground (<c>workers = 0</c>: one process, no forks, no privilege drop,
/// so running as root is fine) through a small Python launcher written into the directory. The
/// launcher points Swift at this directory's swift.conf (Swift's servers otherwise always read
/// /etc/swift/swift.conf), routes logging to stderr instead of syslog, supplies a no-op
/// <c>swift.cache</c> (tempauth insists on one; no memcached needed, nothing shared between
/// instances), and for the proxy builds the three rings (1 replica, 1 device, part power 6) with
/// Swift's own RingBuilder in-process once the backends' ports are known: the
/// <c>swift-ring-builder</c> CLI would cost nine Python start-ups. The object server keeps
/// metadata in user xattrs, which /tmp (ext4) supports; the launcher checks and fails the start
/// with a clear message where they are missing.
/// </para>
/// <para>
/// Stopping is SIGKILL (no children to reap: workers = 0). Each launcher also watches its stdin,
/// a pipe from this process: if the test process dies without disposing, the servers exit and the
/// directory is removed.
/// </para>
/// No test framework here, like <see cref="PostgresCluster"/>.
/// </summary>
public sealed partial class SwiftS3Server : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private static readonly string[] Servers = ["account", "container", "object", "proxy"];

    private readonly string _dir;
    private readonly ConcurrentDictionary<string, int> _ports = new();
    private readonly Dictionary<string, Process> _processes = [];
    private readonly Dictionary<string, TaskCompletionSource<int>> _listening = [];
    private readonly object _logLock = new();
    private StreamWriter? _log;

    private SwiftS3Server(string dir)
    {
        _dir = dir;
        _log = new StreamWriter(Path.Combine(dir, "swift.log"), append: true, new UTF8Encoding(false)) { AutoFlush = true };
    }

    /// <summary>True when the Debian Swift packages are installed (scripts/install-deps.sh swift swift-proxy swift-account swift-container swift-object).</summary>
    public static bool Installed { get; } = File.Exists(Python) && File.Exists("/usr/bin/swift-ring-builder") &&
        Servers.All(s => File.Exists($"/usr/bin/swift-{s}-server"));

    /// <summary>The S3 endpoint, e.g. http://127.0.0.1:41234 (path-style addressing only).</summary>
    public string Endpoint => $"http://127.0.0.1:{_ports["proxy"]}";

    public int Port => _ports["proxy"];

    public string AccessKey => "test:tester";

    public string SecretKey => "testing";

    /// <summary>s3api's <c>location</c>: the SigV4 signing region.</summary>
    public string Region => "us-east-1";

    /// <summary>The temp directory (configs, rings, srv/ with the data, swift.log).</summary>
    public string TempDirectory => _dir;

    public string LogPath => Path.Combine(_dir, "swift.log");

    /// <summary>Writes the configs, starts the four servers and waits until all answer /healthcheck (the caller checks <see cref="Installed"/> first).</summary>
    public static async Task<SwiftS3Server> StartNewAsync(TimeSpan? timeout = null)
    {
        if (!Installed)
        {
            throw new InvalidOperationException("OpenStack Swift is not installed (scripts/install-deps.sh swift swift-proxy swift-account swift-container swift-object)");
        }

        var dir = Path.Combine("/tmp", "reelgate-swift-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(dir, "srv", "d1"));
        var server = new SwiftS3Server(dir);
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        try
        {
            // Every server binds port 0 itself and reports the port it got, so no other process
            // can take a port between choosing and binding. The proxy imports its code meanwhile
            // and builds the rings once the backends' ports arrive on its stdin.
            server.WriteConfigs();
            foreach (var name in Servers)
            {
                server.Spawn(name, firstStart: true);
            }

            var backends = new List<int>();
            foreach (var name in Servers[..3])
            {
                backends.Add(await server.WaitListeningAsync(name, limit - clock.Elapsed));
            }

            try
            {
                var proxy = server._processes["proxy"];
                await proxy.StandardInput.WriteLineAsync(string.Join(',', backends));
                await proxy.StandardInput.FlushAsync();
            }
            catch (IOException)
            {
                // The proxy is gone already: WaitListeningAsync says why.
            }

            await server.WaitListeningAsync("proxy", limit - clock.Elapsed);
            await server.WaitReadyAsync(Servers, limit - clock.Elapsed);
            server.Log("harness", $"started in {clock.ElapsedMilliseconds} ms");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the proxy (SIGKILL), as an S3 outage: connections to <see cref="Endpoint"/> are refused until <see cref="StartProxyAsync"/>.</summary>
    public async Task StopProxyAsync()
    {
        if (_processes.Remove("proxy", out var p))
        {
            await KillAsync(p);
        }
    }

    /// <summary>Starts the proxy again on the same port, data and credentials, and waits until it answers.</summary>
    public async Task StartProxyAsync(TimeSpan? timeout = null)
    {
        if (_processes.ContainsKey("proxy"))
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        WriteConfig("proxy", Port); // the same port again; the rings are there already
        Spawn("proxy", firstStart: false);
        await WaitListeningAsync("proxy", limit - clock.Elapsed);
        await WaitReadyAsync(["proxy"], limit - clock.Elapsed);
        Log("harness", $"proxy started again in {clock.ElapsedMilliseconds} ms");
    }

    /// <summary>Kills every server process.</summary>
    public async Task StopAsync()
    {
        var all = _processes.Values.ToList();
        _processes.Clear();
        await Task.WhenAll(all.Select(KillAsync));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        lock (_logLock)
        {
            _log?.Dispose();
            _log = null;
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of swift.log.</summary>
    public string LogTail(int lines = 60)
    {
        lock (_logLock)
        {
            try
            {
                using var fs = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(fs);
                var all = reader.ReadToEnd().Split('\n');
                return string.Join('\n', all.TakeLast(lines));
            }
            catch (IOException e)
            {
                return $"(no log: {e.Message})";
            }
        }
    }

    private void Spawn(string name, bool firstStart)
    {
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        psi.ArgumentList.Add(Path.Combine(_dir, "reelgate_swift.py"));
        if (name == "proxy" && firstStart)
        {
            psi.ArgumentList.Add("--rings-from-stdin");
        }

        psi.ArgumentList.Add($"/usr/bin/swift-{name}-server");
        psi.ArgumentList.Add(Path.Combine(_dir, $"{name}-server.conf"));
        psi.ArgumentList.Add("--verbose");
        psi.Environment["PYTHONPATH"] = _dir;
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        psi.Environment["PYTHONUNBUFFERED"] = "1";

        // bookworm's eventlet 0.33 imports distutils.version, which setuptools' distutils hack
        // would serve by importing all of setuptools: ~0.5 s of CPU per process.
        psi.Environment["SETUPTOOLS_USE_DISTUTILS"] = "stdlib";

        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        p.OutputDataReceived += (_, e) =>
        {
            Log(name, e.Data);
            if (e.Data?.StartsWith(ListeningLine, StringComparison.Ordinal) == true &&
                int.TryParse(e.Data.AsSpan(ListeningLine.Length), out var port))
            {
                _ports[name] = port;
                listening.TrySetResult(port);
            }
        };
        p.ErrorDataReceived += (_, e) => Log(name, e.Data);
        p.Start(); // stdin stays open: the launcher exits when it closes (see exit_with_parent)
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        Log(name, $"started pid {p.Id}");
        _processes[name] = p;
        _listening[name] = listening;
    }

    private void Log(string name, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            _log?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [{name}] {line}");
        }
    }

    /// <summary>The port the server bound, once its launcher reports it.</summary>
    private async Task<int> WaitListeningAsync(string name, TimeSpan timeout)
    {
        var p = _processes[name];
        var listening = _listening[name].Task;
        var exited = p.WaitForExitAsync(); // also waits for the output to be drained
        var done = await Task.WhenAny(listening, exited, Task.Delay(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero));
        if (done == listening)
        {
            return await listening;
        }

        if (done == exited)
        {
            throw new InvalidOperationException($"swift {name}-server exited with {p.ExitCode} while starting; {LogPath}:\n{LogTail()}");
        }

        throw new TimeoutException($"swift {name}-server not listening after the start timeout; {LogPath}:\n{LogTail()}");
    }

    private async Task WaitReadyAsync(IReadOnlyCollection<string> names, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        using var failed = new CancellationTokenSource();
        await Task.WhenAll(names.Select(async name =>
        {
            try
            {
                await WaitOneAsync(name);
            }
            catch
            {
                await failed.CancelAsync(); // the others stop polling
                throw;
            }
        }));

        async Task WaitOneAsync(string name)
        {
            var p = _processes[name];
            while (!failed.IsCancellationRequested)
            {
                try
                {
                    // A server listens while it still loads its app; the request then waits.
                    using var response = await http.GetAsync($"http://127.0.0.1:{_ports[name]}/healthcheck");
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Log(name, $"answers /healthcheck ({p.TotalProcessorTime.TotalMilliseconds:0} ms CPU so far)");
                        return;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet.
                }

                if (p.HasExited)
                {
                    await p.WaitForExitAsync();
                    throw new InvalidOperationException($"swift {name}-server exited with {p.ExitCode} while starting; {LogPath}:\n{LogTail()}");
                }

                if (clock.Elapsed > timeout)
                {
                    throw new TimeoutException($"swift {name}-server not answering /healthcheck after {timeout.TotalSeconds:0} s; {LogPath}:\n{LogTail()}");
                }

                await Task.Delay(50);
            }
        }
    }

    private static async Task KillAsync(Process p)
    {
        try
        {
            // workers = 0 means no children, but take the whole tree in case a server forks.
            p.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }

        p.Dispose();
    }
}
