using Microsoft.Data.Sqlite;

namespace Reelgate.Data.Sqlite;

/// <summary>
/// A command kept for the life of its connection so that SQLite prepares its statement once:
/// Microsoft.Data.Sqlite caches prepared statements on the command object, not across command
/// objects. Callers still write <c>using</c>; disposing only clears the parameters. It is
/// really disposed with the connection's cache (<see cref="PreparedCommands.Release"/>).
/// </summary>
internal sealed class ReusableCommand : SqliteCommand
{
    private bool _released;

    public ReusableCommand(string sql, SqliteConnection connection)
        : base(sql, connection)
    {
    }

    public void Release()
    {
        _released = true;
        base.Dispose(true);
    }

    protected override void Dispose(bool disposing)
    {
        if (_released)
        {
            base.Dispose(disposing);
            return;
        }

        Parameters.Clear();
        Transaction = null;
    }
}
