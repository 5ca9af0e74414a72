using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Reelgate.Testing;

/// <summary>
/// Debian's PostgreSQL as a throwaway cluster: <c>initdb</c> in a directory under /tmp (the
/// postgres user must reach it, and the socket path stays short), <c>pg_ctl</c> as the postgres
/// user (<c>su postgres -c</c>) on 127.0.0.1 and a free port, fsync off. No test framework here,
/// so the crash harness can use it too; <see cref="PostgresServer"/> adds the test rules.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _dir;

    private PostgresCluster(string bin, string dir, int port)
    {
        Bin = bin;
        _dir = dir;
        Port = port;
    }

    /// <summary>The newest installed PostgreSQL's bin directory, or null when none is installed.</summary>
    public static string? InstalledBin { get; } = Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Order(StringComparer.Ordinal).Select(d => Path.Combine(d, "bin")).LastOrDefault(d => File.Exists(Path.Combine(d, "pg_ctl")))
        : null;

    public string Bin { get; }

    public int Port { get; }

    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres";

    /// <summary>Creates and starts a cluster (the caller checks <see cref="InstalledBin"/> first).</summary>
    public static async Task<PostgresCluster> StartNewAsync()
    {
        var bin = InstalledBin ?? throw new InvalidOperationException("PostgreSQL is not installed (scripts/install-deps.sh postgresql)");
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        var dir = Path.Combine("/tmp", "reelgate-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        await RunAsync("chown", ["postgres:postgres", dir]);
        var cluster = new PostgresCluster(bin, dir, port);
        await AsPostgresAsync($"{bin}/initdb -D {dir}/data -U postgres --auth=trust -E UTF8 --no-locale");
        await cluster.StartAsync();
        return cluster;
    }

    /// <summary>Starts the (stopped) server again on the same port and data.</summary>
    public Task StartAsync() =>
        AsPostgresAsync($"{Bin}/pg_ctl -D {_dir}/data -l {_dir}/server.log -w -t 60 -o \"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start");

    /// <summary>Stops the server (fast shutdown: open connections are cut), as an outage does.</summary>
    public Task StopAsync() => AsPostgresAsync($"{Bin}/pg_ctl -D {_dir}/data -m fast -w stop");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await AsPostgresAsync($"{Bin}/pg_ctl -D {_dir}/data -m immediate -w stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(_dir, recursive: true);
    }

    private static Task AsPostgresAsync(string command) => RunAsync("su", ["postgres", "-c", command]);

    private static async Task RunAsync(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {await error} {await output}");
        }
    }
}
