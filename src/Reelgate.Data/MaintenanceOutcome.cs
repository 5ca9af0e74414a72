using Reelgate.Data.Sqlite;

namespace Reelgate.Data;

/// <summary>
/// The outcome of a backup or a restore (<see cref="IDatabaseMaintenance"/>): a one-line
/// <see cref="Message"/>, the check of the file written or restored, and, for a restore, where
/// the previous database was kept.
/// </summary>
public sealed record MaintenanceOutcome(MaintenanceStatus Status, string Message, SqliteFileReport? Report = null, string? KeptDatabase = null);
