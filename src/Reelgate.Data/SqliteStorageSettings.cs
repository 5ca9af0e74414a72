namespace Reelgate.Data;

/// <summary>Where the embedded backend keeps its files.</summary>
/// <param name="DatabasePath">The SQLite database file.</param>
/// <param name="BusyTimeout">How long a statement waits for a lock another process holds (null: 10 s).</param>
/// <param name="KeyRingDirectory">The data-protection key ring (cookies, antiforgery tokens, stored webhook secrets).</param>
public sealed record SqliteStorageSettings(string DatabasePath, TimeSpan? BusyTimeout, string KeyRingDirectory);
