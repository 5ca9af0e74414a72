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
}
