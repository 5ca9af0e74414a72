namespace Reelgate.Data;

/// <summary>The configured database, as the start-up sequence sees it: migrate, then describe.</summary>
public interface IReelgateDatabase
{
    /// <summary>Where the data lives, for the start-up log (never a password).</summary>
    string Description { get; }

    /// <summary>The schema version this build migrates to.</summary>
    int SchemaVersion { get; }

    /// <summary>Creates or upgrades the schema: versioned, forward-only, safe when several nodes start at once.</summary>
    Task MigrateAsync(CancellationToken ct);

    /// <summary>
    /// A trivial read that proves the database answers now (the readiness check); throws when it
    /// does not. It takes no lock a writer waits on.
    /// </summary>
    Task PingAsync(CancellationToken ct);
}
