using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Reelgate.Core.Results;
using Reelgate.Data;
using Reelgate.Data.Files;
using Reelgate.Data.Sqlite;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>
/// <c>GET /readyz</c> over real HTTP: 200 with the three checks when everything works, 503 naming
/// the check that failed (result store, database, engines), within about 3 s even when a
/// dependency hangs; <c>GET /healthz</c> stays 200 (alive) throughout.
/// </summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task Readyz_Is200_WithDatabaseEnginesAndResultsOk()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (status, body, response) = await server.NewClient().GetJsonAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("ready", (string)body["status"]!);
        var checks = body["checks"]!.AsObject();
        Assert.Equal(["database", "engines", "results"], checks.Select(c => c.Key));
        foreach (var (name, check) in checks)
        {
            Assert.True((bool)check!["ok"]!, name);
            Assert.False(string.IsNullOrEmpty((string)check["detail"]!), name);
            Assert.InRange((long)check["ms"]!, 0, 2000);
        }

        Assert.Equal("available: builtin", (string)checks["engines"]!["detail"]!);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(server.DataDirectory, "results")));
    }

    [Fact]
    public async Task Readyz_Is503NamingResults_WhenTheResultStoreIsNotWritable()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "reelgate-test-" + Guid.NewGuid().ToString("N"));
        var store = new BrokenResultStore(new LocalResultStore(Path.Combine(dataDirectory, "results"))) { Broken = true };
        await using var server = await ReelgateTestServer.StartAsync(services: s =>
        {
            ScriptedEngine.AddTo(s);
            s.AddSingleton<IResultStore>(store);
        }, dataDirectory: dataDirectory);
        using var http = server.NewClient();

        var (status, body, _) = await http.GetJsonAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("not_ready", (string)body["status"]!);
        Assert.False((bool)body["checks"]!["results"]!["ok"]!);
        Assert.Equal("failed (IOException)", (string)body["checks"]!["results"]!["detail"]!);
        Assert.True((bool)body["checks"]!["database"]!["ok"]!);
        Assert.True((bool)body["checks"]!["engines"]!["ok"]!);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz", TestContext.Current.CancellationToken)).StatusCode);

        store.Broken = false;
        Assert.Equal(HttpStatusCode.OK, (await http.GetJsonAsync("/readyz")).Status);
    }

    [Fact]
    public async Task Readyz_AnswersWithinThreeSeconds_WhenTheResultStoreHangs()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "reelgate-test-" + Guid.NewGuid().ToString("N"));
        var store = new BrokenResultStore(new LocalResultStore(Path.Combine(dataDirectory, "results"))) { Hangs = true };
        await using var server = await ReelgateTestServer.StartAsync(services: s =>
        {
            ScriptedEngine.AddTo(s);
            s.AddSingleton<IResultStore>(store);
        }, dataDirectory: dataDirectory);

        var watch = Stopwatch.StartNew();
        var (status, body, _) = await server.NewClient().GetJsonAsync("/readyz");
        watch.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(3.5)); // the 2 s limit, plus slack for a loaded machine
        Assert.Equal("no answer within 2 s", (string)body["checks"]!["results"]!["detail"]!);
        Assert.True((bool)body["checks"]!["database"]!["ok"]!);
    }

    [Fact]
    public async Task Readyz_Is503NamingTheDatabase_WhenItDoesNotAnswer()
    {
        SwitchableDatabase? database = null;
        await using var server = await ReelgateTestServer.StartAsync(services: s =>
        {
            ScriptedEngine.AddTo(s);
            s.AddSingleton<IReelgateDatabase>(sp => database = new SwitchableDatabase(sp.GetRequiredService<SqliteDatabase>()));
        });
        using var http = server.NewClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetJsonAsync("/readyz")).Status);

        database!.Down = true;
        var (status, body, _) = await http.GetJsonAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.False((bool)body["checks"]!["database"]!["ok"]!);
        Assert.Equal("failed (IOException)", (string)body["checks"]!["database"]!["detail"]!);
        Assert.True((bool)body["checks"]!["results"]!["ok"]!);
    }

    [Fact]
    public async Task Readyz_Is503NamingEngines_WhenFfmpegIsMissing()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:FfmpegPath"] = "/nonexistent/ffmpeg" });
        var (status, body, _) = await server.NewClient().GetJsonAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var engines = body["checks"]!["engines"]!.AsObject();
        Assert.False((bool)engines["ok"]!);
        Assert.StartsWith("no engine available: builtin: ", (string)engines["detail"]!, StringComparison.Ordinal);
        Assert.True((bool)body["checks"]!["database"]!["ok"]!);
        Assert.Equal(HttpStatusCode.OK, (await server.NewClient().GetAsync("/healthz", TestContext.Current.CancellationToken)).StatusCode);
    }

    /// <summary>A result store whose probe fails (<see cref="Broken"/>) or never answers (<see cref="Hangs"/>).</summary>
    private sealed class BrokenResultStore(IResultStore inner) : IResultStore
    {
        public volatile bool Broken;
        public volatile bool Hangs;

        public string Description => inner.Description;

        public Task EnsureReadyAsync(CancellationToken ct) => inner.EnsureReadyAsync(ct);

        public Task ProbeAsync(CancellationToken ct) =>
            Hangs ? new TaskCompletionSource().Task // ignores cancellation too, as a stuck NFS mount does
            : Broken ? Task.FromException(new IOException("Read-only file system"))
            : inner.ProbeAsync(ct);

        public Task<string> PutAsync(string taskId, string fileName, string sourcePath, CancellationToken ct) => inner.PutAsync(taskId, fileName, sourcePath, ct);

        public Task<ResultFile?> FindAsync(string key, CancellationToken ct) => inner.FindAsync(key, ct);

        public Task DeleteAsync(string key, CancellationToken ct) => inner.DeleteAsync(key, ct);

        public Task<Stream> OpenReadAsync(ResultFile file, CancellationToken ct) => inner.OpenReadAsync(file, ct);

        public Uri? DirectUrl(ResultFile file, TimeSpan lifetime) => inner.DirectUrl(file, lifetime);
    }

    /// <summary>The real database, whose ping fails while <see cref="Down"/> is set.</summary>
    private sealed class SwitchableDatabase(SqliteDatabase inner) : IReelgateDatabase
    {
        public volatile bool Down;

        public string Description => inner.Description;

        public int SchemaVersion => inner.SchemaVersion;

        public Task MigrateAsync(CancellationToken ct) => inner.MigrateAsync(ct);

        public Task PingAsync(CancellationToken ct) => Down ? Task.FromException(new IOException("disk I/O error")) : inner.PingAsync(ct);
    }
}
