using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Reelgate.Data.Tests;

/// <summary>
/// A real S3-compatible server for tests: Debian's OpenStack Swift 2.30 (packages swift,
/// swift-proxy, swift-account, swift-container, swift-object) with the s3api middleware and
/// tempauth, as four throwaway processes on 127.0.0.1 and free ports, everything (configs,
/// rings, object data, one log file) in a directory under /tmp that is deleted on dispose.
/// S3 credentials: access key <c>test:tester</c>, secret <c>testing</c>, region us-east-1, path-style.
/// <para>
/// Each server runs in the foreground (<c>workers = 0</c>: one process, no forks, no privilege drop,
/// so running as root is fine) through a small Python launcher written into the directory. The
/// launcher points Swift at this directory's swift.conf (Swift's servers otherwise always read
/// /etc/swift/swift.conf), routes logging to stderr instead of syslog, supplies a no-op
/// <c>swift.cache</c> (tempauth insists on one; no memcached needed, nothing shared between
/// instances), and for the proxy builds the three rings (1 replica, 1 device, part power 6) with
/// Swift's own RingBuilder in-process: the <c>swift-ring-builder</c> CLI would cost nine Python
/// start-ups. The object server keeps metadata in user xattrs, which /tmp (ext4) supports.
/// </para>
/// No test framework here, like <see cref="PostgresCluster"/>.
/// </summary>
public sealed class SwiftS3Server : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private static readonly string[] Servers = ["account", "container", "object", "proxy"];

    private readonly string _dir;
    private readonly Dictionary<string, int> _ports;
    private readonly Dictionary<string, Process> _processes = [];
    private readonly object _logLock = new();
    private StreamWriter? _log;

    private SwiftS3Server(string dir, Dictionary<string, int> ports)
    {
        _dir = dir;
        _ports = ports;
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
        var ports = FreePorts();
        var server = new SwiftS3Server(dir, ports);
        try
        {
            server.WriteConfigs();
            foreach (var name in Servers)
            {
                server.Spawn(name);
            }

            await server.WaitReadyAsync(Servers, timeout ?? TimeSpan.FromSeconds(60));
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

        Spawn("proxy");
        await WaitReadyAsync(["proxy"], timeout ?? TimeSpan.FromSeconds(60));
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

    private static Dictionary<string, int> FreePorts()
    {
        // All four listeners are open at once, so the ports differ.
        var listeners = Servers.Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return Servers.Zip(listeners).ToDictionary(x => x.First, x => ((IPEndPoint)x.Second.LocalEndpoint).Port);
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    private void Spawn(string name)
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
        if (name == "proxy")
        {
            psi.ArgumentList.Add($"--rings={_ports["account"]},{_ports["container"]},{_ports["object"]}");
        }

        psi.ArgumentList.Add($"/usr/bin/swift-{name}-server");
        psi.ArgumentList.Add(Path.Combine(_dir, $"{name}-server.conf"));
        psi.ArgumentList.Add("--verbose");
        psi.Environment["PYTHONPATH"] = _dir;
        psi.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        psi.Environment["PYTHONUNBUFFERED"] = "1";

        // pkg_resources (PasteDeploy's egg:swift#... lookups) would otherwise import all of
        // setuptools to stand in for distutils: ~0.5 s of CPU per process.
        psi.Environment["SETUPTOOLS_USE_DISTUTILS"] = "stdlib";

        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        p.OutputDataReceived += (_, e) => Log(name, e.Data);
        p.ErrorDataReceived += (_, e) => Log(name, e.Data);
        p.Start();
        p.StandardInput.Close();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        Log(name, $"started pid {p.Id} on 127.0.0.1:{_ports[name]}");
        _processes[name] = p;
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
                        Log(name, $"ready after {clock.ElapsedMilliseconds} ms");
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

    private void WriteConfigs()
    {
        string Common(string name) => $"""
            [DEFAULT]
            bind_ip = 127.0.0.1
            bind_port = {_ports[name]}
            workers = 0
            user = root
            swift_dir = {_dir}
            devices = {_dir}/srv
            mount_check = false
            disable_fallocate = true
            fallocate_reserve = 0
            log_name = {name}
            log_level = INFO

            [filter:healthcheck]
            use = egg:swift#healthcheck

            """;

        string Backend(string name) => Common(name) + $"""
            [pipeline:main]
            pipeline = healthcheck {name}-server

            [app:{name}-server]
            use = egg:swift#{name}

            """;

        File.WriteAllText(Path.Combine(_dir, "swift.conf"), $"""
            [swift-hash]
            swift_hash_path_suffix = {Guid.NewGuid():N}
            swift_hash_path_prefix = {Guid.NewGuid():N}

            [storage-policy:0]
            name = Policy-0
            default = yes

            [swift-constraints]

            """);
        File.WriteAllText(Path.Combine(_dir, "account-server.conf"), Backend("account"));
        File.WriteAllText(Path.Combine(_dir, "container-server.conf"), Backend("container"));
        File.WriteAllText(Path.Combine(_dir, "object-server.conf"), Backend("object"));
        File.WriteAllText(Path.Combine(_dir, "proxy-server.conf"), Common("proxy") + """
            [pipeline:main]
            pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo versioned_writes proxy-logging proxy-server

            [app:proxy-server]
            use = egg:swift#proxy
            account_autocreate = true
            conn_timeout = 2
            node_timeout = 10

            [filter:cache]
            paste.filter_factory = reelgate_swift:null_cache_filter_factory

            [filter:s3api]
            use = egg:swift#s3api
            location = us-east-1
            s3_acl = false

            [filter:tempauth]
            use = egg:swift#tempauth
            user_test_tester = testing .admin

            [filter:catch_errors]
            use = egg:swift#catch_errors

            [filter:gatekeeper]
            use = egg:swift#gatekeeper

            [filter:proxy-logging]
            use = egg:swift#proxy_logging

            [filter:listing_formats]
            use = egg:swift#listing_formats

            [filter:copy]
            use = egg:swift#copy

            [filter:slo]
            use = egg:swift#slo

            [filter:dlo]
            use = egg:swift#dlo

            [filter:versioned_writes]
            use = egg:swift#versioned_writes

            """);
        File.WriteAllText(Path.Combine(_dir, "reelgate_swift.py"), Launcher);
    }

    /// <summary>
    /// Runs a Debian swift-*-server script against this directory's swift.conf, logging to stderr
    /// only; with --rings=A,C,O first builds the three rings if absent. Also the module of the
    /// no-op cache filter.
    /// </summary>
    private const string Launcher = """
        import logging
        import os
        import runpy
        import sys


        class NullCache(object):
            # A memcache client that remembers nothing: every proxy request reads account and
            # container info from the backend servers, and tempauth gets the cache it insists on.
            def get(self, key, *args, **kwargs):
                return None

            def get_multi(self, keys, server_key, *args, **kwargs):
                return [None for _ in keys]

            def set(self, *args, **kwargs):
                pass

            def set_multi(self, *args, **kwargs):
                pass

            def delete(self, *args, **kwargs):
                pass

            def incr(self, key, delta=1, *args, **kwargs):
                return delta

            def decr(self, key, delta=1, *args, **kwargs):
                return 0


        def null_cache_filter_factory(global_conf, **local_conf):
            cache = NullCache()

            def make(app):
                def middleware(env, start_response):
                    env['swift.cache'] = cache
                    return app(env, start_response)
                return middleware
            return make


        def build_rings(swift_dir, ports):
            from swift.common.ring import RingBuilder
            for name, port in zip(('account', 'container', 'object'), ports):
                path = os.path.join(swift_dir, name + '.ring.gz')
                if os.path.exists(path):
                    continue
                builder = RingBuilder(6, 1, 1)
                builder.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1',
                                 'port': port, 'replication_ip': '127.0.0.1',
                                 'replication_port': port, 'device': 'd1',
                                 'weight': 100, 'meta': ''})
                builder.rebalance(seed=1)
                builder.get_ring().save(path + '.tmp')
                os.rename(path + '.tmp', path)


        def main():
            # Swift's servers call this same monkey_patch only after importing everything; by then
            # eventlet's re-greening of existing RLocks runs a full gc.collect() per lock (~1 s of
            # CPU). Patching first, on a small heap, makes it cheap; the later call is a no-op.
            import eventlet.patcher
            eventlet.patcher.monkey_patch(all=False, socket=True, select=True, thread=True)
            here = os.path.dirname(os.path.abspath(__file__))
            args = sys.argv[1:]
            if args[0].startswith('--rings='):
                build_rings(here, [int(p) for p in args.pop(0)[len('--rings='):].split(',')])
            from swift.common import storage_policy, utils
            utils.set_swift_dir(here)
            storage_policy.reload_storage_policies()
            utils.ThreadSafeSysLogHandler = lambda *a, **k: logging.NullHandler()
            sys.argv = args
            runpy.run_path(args[0], run_name='__main__')


        if __name__ == '__main__':
            main()

        """;
}
