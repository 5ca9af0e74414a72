using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Reelgate.Core.Results;
using Reelgate.Data.Files;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>Broken infrastructure gives the documented failCode or error, refunds, and the service keeps serving.</summary>
public sealed class FaultTests
{
    [Fact]
    public async Task CrashingFfmpeg_FailsTaskWithGenerationFailedAndRefund_WhenItDiesMidRender()
    {
        var fake = Path.Combine(Path.GetTempPath(), $"ffmpeg-crash-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(fake, """
            #!/bin/sh
            for a in "$@"; do [ "$a" = "-version" ] && { echo "ffmpeg version crashing-test-double"; exit 0; }; done
            echo "frame=12"
            echo "progress=continue"
            echo "Segmentation fault in libx264 (simulated)" >&2
            kill -SEGV $$
            """, TestContext.Current.CancellationToken);
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:FfmpegPath"] = fake });
            var (_, _, apiKey) = await server.CreateAccountAsync(1000);
            using var client = server.NewClient(apiKey);
            var (_, created, _) = await client.CreateTaskAsync(new { prompt = "crash", resolution = "480p", duration = 4 });
            var data = await client.WaitForEndAsync((string)created["data"]!["taskId"]!);
            Assert.Equal("fail", (string)data["state"]!);
            Assert.Equal("generation_failed", (string)data["failCode"]!);
            Assert.Equal(1000, await client.CreditsAsync());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz", TestContext.Current.CancellationToken)).StatusCode);
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(server.DataDirectory, "work")));
        }
        finally
        {
            File.Delete(fake);
        }
    }

    [Fact]
    public async Task FullDisk_FailsTaskWithInternalErrorAndRefund_ThenServesAgain()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "reelgate-test-" + Guid.NewGuid().ToString("N"));
        var store = new FullDiskResultStore(new LocalResultStore(Path.Combine(dataDirectory, "results"))) { Full = true };
        await using var server = await ReelgateTestServer.StartAsync(services: s =>
        {
            ScriptedEngine.AddTo(s);
            s.AddSingleton<IResultStore>(store);
        }, dataDirectory: dataDirectory);
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);

        var (_, first, _) = await client.CreateTaskAsync(new { prompt = "no space", resolution = "480p", duration = 4 });
        var failed = await client.WaitForEndAsync((string)first["data"]!["taskId"]!);
        Assert.Equal("fail", (string)failed["state"]!);
        Assert.Equal("internal_error", (string)failed["failCode"]!);
        Assert.Equal(1000, await client.CreditsAsync());

        store.Full = false;
        var (_, second, _) = await client.CreateTaskAsync(new { prompt = "space again", resolution = "480p", duration = 4 });
        Assert.Equal("success", (string)(await client.WaitForEndAsync((string)second["data"]!["taskId"]!))["state"]!);
        Assert.Equal(920, await client.CreditsAsync());
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task LockedDatabase_FailsCreateFastWith500Envelope_AndRecoversWhenReleased()
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Reelgate:Workers"] = "0",
            ["Reelgate:DatabaseBusyTimeout"] = "00:00:01",
        });
        var (_, _, apiKey) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(apiKey);
        var (_, before, _) = await client.CreateTaskAsync(new { prompt = "before the lock", resolution = "480p", duration = 4 });

        // Another process (a stray sqlite3 shell, a backup tool) holds the write lock.
        await using (var intruder = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "reelgate.db")};Pooling=False"))
        {
            await intruder.OpenAsync(TestContext.Current.CancellationToken);
            using var tx = intruder.BeginTransaction(System.Data.IsolationLevel.Serializable);
            using (var write = intruder.CreateCommand())
            {
                write.Transaction = tx;
                write.CommandText = "UPDATE accounts SET updated_at = updated_at";
                await write.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }

            var watch = System.Diagnostics.Stopwatch.StartNew();
            var (status, body, _) = await client.CreateTaskAsync(new { prompt = "during the lock", resolution = "480p", duration = 4 });
            JsonBody.AssertError(status, body, 500, "server error");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");

            // Reads keep working while the writer is locked out (WAL).
            Assert.Equal("waiting", (string)(await client.RecordInfoAsync((string)before["data"]!["taskId"]!))["state"]!);
            tx.Rollback();
        }

        var (after, _, _) = await client.CreateTaskAsync(new { prompt = "after the lock", resolution = "480p", duration = 4 });
        Assert.Equal(HttpStatusCode.OK, after);
        Assert.Equal(1000 - 160, await client.CreditsAsync());
        await server.AssertAuditOkAsync();
    }

    /// <summary>A result store whose disk is full while <see cref="Full"/> is set.</summary>
    private sealed class FullDiskResultStore(IResultStore inner) : IResultStore
    {
        public volatile bool Full;

        public string Description => inner.Description;

        public Task EnsureReadyAsync(CancellationToken ct) => inner.EnsureReadyAsync(ct);

        public Task ProbeAsync(CancellationToken ct) => Full ? throw new IOException("No space left on device") : inner.ProbeAsync(ct);

        public Task<string> PutAsync(string taskId, string fileName, string sourcePath, CancellationToken ct) =>
            Full ? throw new IOException("No space left on device") : inner.PutAsync(taskId, fileName, sourcePath, ct);

        public Task<ResultFile?> FindAsync(string key, CancellationToken ct) => inner.FindAsync(key, ct);

        public Task DeleteAsync(string key, CancellationToken ct) => inner.DeleteAsync(key, ct);

        public Task<Stream> OpenReadAsync(ResultFile file, CancellationToken ct) => inner.OpenReadAsync(file, ct);

        public Uri? DirectUrl(ResultFile file, TimeSpan lifetime) => inner.DirectUrl(file, lifetime);
    }
}
