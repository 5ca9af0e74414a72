using Npgsql;

namespace Reelgate.Testing;

/// <summary>
/// A <see cref="PostgresCluster"/> for tests, one per test assembly (or per test that needs to
/// stop it), stopped at the end. Each test gets its own database. Missing PostgreSQL fails in CI
/// (<c>CI=true</c>) and skips loudly elsewhere.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private PostgresCluster? _cluster;
    private int _databases;

    public int Port => _cluster?.Port ?? 0;

    public string? Unavailable { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (PostgresCluster.InstalledBin is null)
        {
            Unavailable = "PostgreSQL is not installed (scripts/install-deps.sh postgresql; make test installs it)";
            return;
        }

        _cluster = await PostgresCluster.StartNewAsync();
    }

    /// <summary>Starts the (stopped) server again on the same port and data.</summary>
    public Task StartAsync() => _cluster!.StartAsync();

    /// <summary>Stops the server (fast shutdown: open connections are cut), as an outage does.</summary>
    public Task StopAsync() => _cluster!.StopAsync();

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
        await using (var admin = new NpgsqlConnection(_cluster!.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await cmd.ExecuteNonQueryAsync();
        }

        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name};Maximum Pool Size=50";
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await _cluster.DisposeAsync();
        }
    }
}
