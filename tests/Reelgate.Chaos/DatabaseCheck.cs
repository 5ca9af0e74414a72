using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Reelgate.Chaos;

/// <summary>
/// After the servers are stopped, reads their database directly (the SQLite file, or PostgreSQL): every task row must belong to
/// a request that was answered 200 (no phantom tasks from refused or broken requests), every
/// task has exactly one charge, and a refund exactly when it failed.
/// </summary>
public static class DatabaseCheck
{
    public static ChaosReport Run(string databasePath, IEnumerable<Outcome> outcomes, IEnumerable<string> accountIds) =>
        Run(new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False"), outcomes, accountIds);

    public static ChaosReport Run(DbConnection connection, IEnumerable<Outcome> outcomes, IEnumerable<string> accountIds)
    {
        var report = new ChaosReport();
        var accepted = outcomes.Where(o => o.Status == 200).Select(o => o.TaskId!).ToHashSet(StringComparer.Ordinal);
        var accounts = accountIds.ToHashSet(StringComparer.Ordinal);
        using var conn = connection;
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            SELECT t.id, t.account_id, t.state,
                   (SELECT COUNT(*) FROM ledger l WHERE l.task_id = t.id AND l.kind = 'charge'),
                   (SELECT COUNT(*) FROM ledger l WHERE l.task_id = t.id AND l.kind = 'refund')
            FROM tasks t
            """;
        using var r = cmd.ExecuteReader();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (r.Read())
        {
            var (id, account, state, charges, refunds) = (r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4));
            if (!accounts.Contains(account))
            {
                continue;
            }

            seen.Add(id);
            if (!accepted.Contains(id))
            {
                report.Phantom++;
                report.Problems.Add($"phantom: task {id} exists but no request got 200 for it");
            }

            if (charges != 1 || refunds > 1)
            {
                report.DoubleCharged++;
                report.Problems.Add($"charges: task {id} has {charges} charge(s) and {refunds} refund(s)");
            }

            if ((state == "fail") != (refunds == 1))
            {
                report.Unrefunded++;
                report.Problems.Add($"refund: task {id} in state {state} has {refunds} refund(s)");
            }
        }

        foreach (var id in accepted.Where(id => !seen.Contains(id)))
        {
            report.Lost++;
            report.Problems.Add($"lost: task {id} answered 200 but has no row");
        }

        return report;
    }
}
