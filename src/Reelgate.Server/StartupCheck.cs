using Microsoft.Extensions.Options;
using Reelgate.Core.Catalog;
using Reelgate.Server.Options;
using Reelgate.Server.Security;
using Reelgate.Server.Workers;

namespace Reelgate.Server;

/// <summary>
/// Runs first at start: migrates the database, loads the catalog and the secrets, and logs
/// where the admin key is (never the key) and whether each engine can run.
/// </summary>
public sealed partial class StartupCheck(
    Reelgate.Data.IReelgateDatabase db,
    ModelCatalog catalog,
    DataDirectorySecrets secrets,
    EngineRegistry engines,
    IOptions<ReelgateOptions> options,
    IServiceProvider services,
    IConfiguration configuration,
    ILogger<StartupCheck> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await db.MigrateAsync(cancellationToken);
        LogDatabase(db.Description, db.SchemaVersion, catalog.Models.Count);
        if (secrets.AdminKeyGenerated)
        {
            LogAdminKeyFile(secrets.AdminKeyPath);
        }
        else
        {
            LogAdminKeyConfigured();
        }

        foreach (var engine in engines.All)
        {
            var health = engine.CheckHealth();
            if (health.Available)
            {
                LogEngineReady(engine.Name, health.Detail);
            }
            else
            {
                LogEngineUnavailable(engine.Name, health.Detail);
            }
        }

        // A missing bucket or wrong credentials stop the start here, not the first finished task.
        var results = services.GetRequiredService<Reelgate.Core.Results.IResultStore>();
        await results.EnsureReadyAsync(cancellationToken);
        LogResults(results.Description);

        LogWorkers(options.Value.EffectiveWorkers, options.Value.Role);

        // The shared limiter connects now, not inside the first burst of requests (a
        // synchronous connect there can starve the thread pool and fail every request of it).
        _ = services.GetRequiredService<Reelgate.Core.Limits.IRateLimiter>();
        if (configuration.GetConnectionString("Redis") is { Length: > 0 })
        {
            var redis = services.GetRequiredService<SharedRateLimit>();
            for (var i = 0; i < 40 && !redis.IsConnected(); i++)
            {
                await Task.Delay(50, cancellationToken);
            }

            if (redis.IsConnected())
            {
                LogRedis(options.Value.Redis.FailClosed ? "closed" : "open");
            }
            else
            {
                LogRedisDown(options.Value.Redis.FailClosed ? "refused (fail closed)" : "let through (fail open)");
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "results: {Store}")]
    private partial void LogResults(string store);

    [LoggerMessage(Level = LogLevel.Information, Message = "database: {Path} at schema version {Version}; {Models} model(s) in the catalog")]
    private partial void LogDatabase(string path, int version, int models);

    [LoggerMessage(Level = LogLevel.Information, Message = "admin key: read it from {Path} (mode 0600)")]
    private partial void LogAdminKeyFile(string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "admin key: from configuration (Reelgate:AdminKey)")]
    private partial void LogAdminKeyConfigured();

    [LoggerMessage(Level = LogLevel.Information, Message = "engine {Engine} ready: {Detail}")]
    private partial void LogEngineReady(string engine, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "engine {Engine} unavailable: {Detail}; its tasks will fail with generation_failed and be refunded")]
    private partial void LogEngineUnavailable(string engine, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "rate limits: shared through Redis (ConnectionStrings:Redis), connected; if it becomes unreachable requests fail {Mode}")]
    private partial void LogRedis(string mode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "rate limits: Redis (ConnectionStrings:Redis) is not reachable yet; until it is, requests are {Mode}")]
    private partial void LogRedisDown(string mode);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Workers} worker(s) on this node (role {Role})")]
    private partial void LogWorkers(int workers, string role);
}
