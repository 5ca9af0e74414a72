using Reelgate.Core.Accounts;
using Reelgate.Core.Tasks;

namespace Reelgate.Data.Tests.Conformance;

/// <summary>The usage query (issue 23): the range's charges and refunds with their task's model and key, and its tasks.</summary>
public abstract partial class TaskStoreConformance
{
    [Fact]
    public async Task Usage_ReturnsTheRangesLedgerEntriesAndTasks_OnEveryBackend()
    {
        var (account, key) = await AccountAsync(1000);
        var kept = Task(account, key, cost: 30, now: 1_000);
        var refunded = Task(account, key, cost: 20, now: 2_000);
        var outside = Task(account, key, cost: 10, now: 9_000);
        foreach (var t in new[] { kept, refunded, outside })
        {
            await S.Tasks.CreateAsync(t, Ct);
        }

        Assert.Equal(CancelOutcome.Cancelled, await S.Tasks.CancelAsync(refunded.TaskId, account, 3_000, Ct));
        var (entries, tasks) = await S.Accounts.UsageAsync(account, 1_000, 9_000, Ct);

        Assert.Equal([("charge", -30L), ("charge", -20L), ("refund", 20L)], entries.Select(e => (e.Kind, e.Amount)));
        Assert.All(entries, e => Assert.Equal((kept.Model, key), (e.Model!, e.KeyId!)));
        Assert.Equal(2, tasks.Count);
        var rows = UsageReport.Build(entries, tasks, "model");
        var row = Assert.Single(rows);
        Assert.Equal((50L, 20L, 30L, 1, 1), (row.Charged, row.Refunded, row.Net, row.Waiting, row.Fail)); // one waiting, the cancelled one failed
    }
}
