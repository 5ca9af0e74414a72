using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;

namespace Reelgate.Data.Tests;

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
public sealed class SwiftS3Server : IAsyncDisposable
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

    private void WriteConfigs()
    {
        File.WriteAllText(Path.Combine(_dir, "swift.conf"), $"""
            [swift-hash]
            swift_hash_path_suffix = {Guid.NewGuid():N}
            swift_hash_path_prefix = {Guid.NewGuid():N}

            [storage-policy:0]
            name = Policy-0
            default = yes

            [swift-constraints]

            """);
        foreach (var name in Servers)
        {
            WriteConfig(name, 0);
        }

        File.WriteAllText(Path.Combine(_dir, "reelgate_swift.py"), Launcher.Replace("{{ListeningLine}}", ListeningLine, StringComparison.Ordinal));
    }

    /// <summary>Writes NAME-server.conf; port 0 lets the server pick a free port (see ListeningLine).</summary>
    private void WriteConfig(string name, int port)
    {
        // workers = 0: one process serving in the foreground, no forks and no privilege drop
        // (so `user` is never used and root is fine).
        var common = $"""
            [DEFAULT]
            bind_ip = 127.0.0.1
            bind_port = {port}
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
        var pipeline = name != "proxy"
            ? $"""
                [pipeline:main]
                pipeline = healthcheck {name}-server

                [app:{name}-server]
                use = egg:swift#{name}

                """
            : """
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

                """;
        File.WriteAllText(Path.Combine(_dir, $"{name}-server.conf"), common + pipeline);
    }

    /// <summary>What a launcher prints on stdout, with the port, once its server's socket is bound.</summary>
    private const string ListeningLine = "REELGATE-SWIFT-LISTENING ";

    /// <summary>
    /// Runs a Debian swift-*-server script against this directory's swift.conf, logging to stderr
    /// only, and prints the bound port. With --rings-from-stdin (the proxy's first start) it
    /// imports the proxy's code, then reads the account, container and object ports as one line
    /// from stdin and builds the three rings. Also the module of the no-op cache filter.
    /// </summary>
    private const string Launcher = """
        import logging
        import os
        import runpy
        import sys

        LISTENING_LINE = '{{ListeningLine}}'


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


        def exit_with_parent(parent, here, remove_dir):
            # stdin is a pipe from the test process: EOF means that process is gone (even by
            # kill -9) without disposing, and so should this server be; the proxy's launcher also
            # removes the directory. A real thread (eventlet has patched threading by now).
            import eventlet.patcher

            def watch():
                while os.read(parent, 4096):
                    pass
                if remove_dir:
                    import shutil
                    import time
                    time.sleep(1)  # the other servers exit too
                    shutil.rmtree(here, ignore_errors=True)
                os._exit(0)
            eventlet.patcher.original('_thread').start_new_thread(watch, ())


        def read_line(parent):
            line = b''
            while not line.endswith(b'\n'):
                chunk = os.read(parent, 1)
                if not chunk:
                    os._exit(1)  # the test process is gone
                line += chunk
            return line.decode('ascii').strip()


        def report_port():
            from swift.common import wsgi
            real_get_socket = wsgi.get_socket

            def get_socket(conf):
                sock = real_get_socket(conf)
                sys.stdout.write('%s%d\n' % (LISTENING_LINE, sock.getsockname()[1]))
                sys.stdout.flush()
                return sock
            wsgi.get_socket = get_socket


        def check_xattrs(devices):
            # The object server keeps metadata in user xattrs; without them every PUT fails.
            probe = os.path.join(devices, '.xattr-probe')
            open(probe, 'w').close()
            try:
                os.setxattr(probe, 'user.reelgate', b'1')
            except OSError as e:
                sys.exit('%s does not support user xattrs (%s); Swift needs them' % (devices, e))
            finally:
                os.unlink(probe)


        def main():
            here = os.path.dirname(os.path.abspath(__file__))
            args = sys.argv[1:]
            # A copy of stdin: once serving, Swift points fds 0 and 1 at /dev/null (capture_stdio
            # in signal_ready; stderr stays, being the console log handler's).
            parent = os.dup(0)
            # Swift's servers call this same monkey_patch only after importing everything; by then
            # eventlet's re-greening of existing RLocks runs a full gc.collect() per lock (~1 s of
            # CPU). Patching first, on a small heap, makes it cheap; the later call is a no-op.
            import eventlet.patcher
            eventlet.patcher.monkey_patch(all=False, socket=True, select=True, thread=True)
            first_proxy_start = args[0] == '--rings-from-stdin'
            if first_proxy_start:
                args.pop(0)
                # The slow imports, while the backends start.
                import swift.common.middleware.s3api.s3api  # noqa: F401
                import swift.proxy.server  # noqa: F401
                build_rings(here, [int(p) for p in read_line(parent).split(',')])
            exit_with_parent(parent, here, remove_dir=args[0].endswith('swift-proxy-server'))
            if args[0].endswith('swift-object-server'):
                check_xattrs(os.path.join(here, 'srv'))
            from swift.common import storage_policy, utils
            utils.set_swift_dir(here)
            storage_policy.reload_storage_policies()
            utils.ThreadSafeSysLogHandler = lambda *a, **k: logging.NullHandler()
            report_port()
            sys.argv = args
            runpy.run_path(args[0], run_name='__main__')


        if __name__ == '__main__':
            main()

        """;
}
