using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Reelgate.Data.Tests;

/// <summary>
/// Debian's PostgreSQL 15 for the tests: a cluster made by <c>initdb</c> in a temp directory,
/// started by <c>pg_ctl</c> as the postgres user (<c>su postgres -c</c>) on 127.0.0.1 and a free
/// port, one per test assembly, stopped at the end. Each test gets its own database. Missing
/// PostgreSQL fails in CI (<c>CI=true</c>) and skips loudly elsewhere.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private static readonly string Bin = Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Order(StringComparer.Ordinal).Select(d => Path.Combine(d, "bin")).LastOrDefault(d => File.Exists(Path.Combine(d, "pg_ctl"))) ?? ""
        : "";

    private string _dir = "";
    private int _databases;

    public int Port { get; private set; }

    public string? Unavailable { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (Bin.Length == 0)
        {
            Unavailable = "PostgreSQL is not installed (scripts/install-deps.sh postgresql; make test installs it)";
            return;
        }

        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            Port = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        // /tmp, not $TMPDIR: the postgres user must be able to reach it, and the socket path stays short.
        _dir = Path.Combine("/tmp", "reelgate-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        await RunAsync("chown", ["postgres:postgres", _dir]);
        var data = Path.Combine(_dir, "data");
        await AsPostgresAsync($"{Bin}/initdb -D {data} -U postgres --auth=trust -E UTF8 --no-locale");
        await StartAsync();
    }

    /// <summary>Starts the (stopped) server again on the same port and data.</summary>
    public Task StartAsync() =>
        AsPostgresAsync($"{Bin}/pg_ctl -D {_dir}/data -l {_dir}/server.log -w -t 60 -o \"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start");

    /// <summary>Stops the server (fast shutdown: open connections are cut), as an outage does.</summary>
    public Task StopAsync() => AsPostgresAsync($"{Bin}/pg_ctl -D {_dir}/data -m fast -w stop");

    /// <summary>A fresh, empty database on the server; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        if (Unavailable is not null)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                Assert.Fail(Unavailable);
            }

            Console.Error.WriteLine("SKIPPED: " + Unavailable);
            Assert.Skip(Unavailable);
        }

        var name = $"t{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..30];
        await using (var admin = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres"))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await cmd.ExecuteNonQueryAsync();
        }

        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name};Maximum Pool Size=50";
    }

    public async ValueTask DisposeAsync()
    {
        if (Unavailable is null && _dir.Length > 0)
        {
            NpgsqlConnection.ClearAllPools();
            await AsPostgresAsync($"{Bin}/pg_ctl -D {_dir}/data -m immediate -w stop");
            Directory.Delete(_dir, recursive: true);
        }
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
