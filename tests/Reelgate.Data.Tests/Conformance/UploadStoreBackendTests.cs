using Reelgate.Testing;

namespace Reelgate.Data.Tests.Conformance;

/// <summary>The upload store conformance suite on the embedded SQLite backend.</summary>
public sealed class SqliteUploadStoreTests : UploadStoreConformance
{
    private readonly string _dir = Directory.CreateTempSubdirectory("reelgate-conf-").FullName;

    protected override Task<Backend> CreateBackendAsync() => Task.FromResult(Backend.Sqlite(_dir));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>The same suite on PostgreSQL (a real server started for this test assembly).</summary>
public sealed class PostgresUploadStoreTests(PostgresServer server) : UploadStoreConformance
{
    protected override async Task<Backend> CreateBackendAsync() => Backend.Postgres(await server.CreateDatabaseAsync());
}
