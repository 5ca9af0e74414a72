using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Reelgate.Data.Sqlite;

/// <summary>
/// Per-connection caches of <see cref="ReusableCommand"/>s, enabled for long-lived connections
/// (the single writer), so each statement is prepared once per connection instead of per call.
/// A connection is used by one caller at a time, so its cache needs no locking.
/// </summary>
internal static class PreparedCommands
{
    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, ReusableCommand>> Caches = new();

    public static void Enable(SqliteConnection connection) => Caches.AddOrUpdate(connection, new Dictionary<string, ReusableCommand>(StringComparer.Ordinal));

    /// <summary>A cached command for <paramref name="sql"/>, or null when the connection has no cache.</summary>
    public static SqliteCommand? Get(SqliteConnection connection, string sql)
    {
        if (!Caches.TryGetValue(connection, out var cache))
        {
            return null;
        }

        if (!cache.TryGetValue(sql, out var command))
        {
            command = new ReusableCommand(sql, connection);
            cache[sql] = command;
        }

        return command;
    }

    public static void Release(SqliteConnection connection)
    {
        if (Caches.TryGetValue(connection, out var cache))
        {
            foreach (var command in cache.Values)
            {
                command.Release();
            }

            Caches.Remove(connection);
        }
    }
}
