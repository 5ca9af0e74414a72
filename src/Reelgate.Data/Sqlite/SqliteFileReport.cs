namespace Reelgate.Data.Sqlite;

/// <summary>
/// What <see cref="SqliteFileCheck"/> found in a database file: <see cref="Problem"/> is null when
/// it passed every check. <see cref="Counts"/> holds the rows of the append-only tables present.
/// </summary>
public sealed record SqliteFileReport(string? Problem, int SchemaVersion, IReadOnlyDictionary<string, long> Counts)
{
    public bool Ok => Problem is null;

    public long Count(string table) => Counts.TryGetValue(table, out var n) ? n : 0;

    /// <summary>"schema version 6; 3 accounts, 120 tasks, 361 ledger entries".</summary>
    public string Summary() =>
        $"schema version {SchemaVersion}; {Count("accounts")} account(s), {Count("tasks")} task(s), {Count("ledger")} ledger entries";
}
