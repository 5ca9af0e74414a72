using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Reelgate.Testing;

/// <summary>
/// Debian's redis-server on 127.0.0.1, a free port and a temp directory, no persistence; stopped
/// at the end. Missing redis-server fails the test in CI (<c>CI=true</c>) and skips it loudly
/// elsewhere.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private const string Binary = "/usr/bin/redis-server";
    private readonly string _dir;
    private Process? _process;

    private RedisServer(int port, string dir)
    {
        Port = port;
        _dir = dir;
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public static RedisServer Start()
    {
        if (!File.Exists(Binary))
        {
            const string Message = "redis-server is not installed (scripts/install-deps.sh redis-server; make test installs it)";
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                Assert.Fail(Message);
            }

            Console.Error.WriteLine("SKIPPED: " + Message);
            Assert.Skip(Message);
        }

        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        var server = new RedisServer(port, Directory.CreateTempSubdirectory("reelgate-redis-").FullName);
        server.Run();
        return server;
    }

    /// <summary>Starts (or restarts, on the same port) the server and waits until it answers.</summary>
    public void Run()
    {
        var psi = new ProcessStartInfo(Binary, ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _dir, "--daemonize", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, Port);
                using var s = c.GetStream();
                s.Write("PING\r\n"u8);
                var buffer = new byte[16];
                if (s.Read(buffer) > 0 && buffer[0] == (byte)'+')
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException($"redis-server did not answer on port {Port}");
    }

    /// <summary>Kills the server (as a crash would).</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            p.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
