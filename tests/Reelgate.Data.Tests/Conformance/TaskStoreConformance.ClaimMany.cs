using Reelgate.Core.Tasks;

namespace Reelgate.Data.Tests.Conformance;

/// <summary>The batch claim (<see cref="ITaskQueue.ClaimManyAsync"/>): what a dispatcher with several idle slots takes in one go.</summary>
public abstract partial class TaskStoreConformance
{
    [Fact]
    public async Task ClaimMany_TakesUpToMax_OldestFirst_EachWithItsOwnLease()
    {
        var (account, key) = await AccountAsync(1000);
        var created = new List<string>();
        foreach (var at in new long[] { 105, 101, 104, 102, 103 })
        {
            var t = Task(account, key, now: at);
            await S.Tasks.CreateAsync(t, Ct);
            created.Add(t.TaskId);
        }

        var oldestFirst = created.Zip(new long[] { 105, 101, 104, 102, 103 }).OrderBy(x => x.Second).Select(x => x.First).ToList();
        var batch = await S.Queue.ClaimManyAsync("node:1", 1000, Lease, 3, 3, Ct);

        Assert.Equal(oldestFirst[..3], batch.Select(c => c.Task.TaskId));
        Assert.Equal(3, batch.Select(c => c.LeaseToken).Distinct().Count());
        Assert.All(batch, c => Assert.Equal((1, 1, true, 1000L, 0), (c.Attempt, c.Task.Attempts, c.Task.Running, c.Task.StartTime!.Value, c.Task.Progress)));
        Assert.Equal(1000 + (long)Lease.TotalMilliseconds, await S.Queue.NextLeaseExpiryAsync(Ct));

        // Held leases are skipped: only the two left come back, however many are asked for.
        var rest = await S.Queue.ClaimManyAsync("node:2", 1001, Lease, 3, 10, Ct);
        Assert.Equal(oldestFirst[3..], rest.Select(c => c.Task.TaskId));
        Assert.Empty(await S.Queue.ClaimManyAsync("node:3", 1002, Lease, 3, 10, Ct));

        // Each token fences its own task only.
        Assert.False(await S.Queue.SucceedAsync(batch[0].Task.TaskId, batch[1].LeaseToken, "x/video.mp4", null, 1100, Ct));
        foreach (var c in batch.Concat(rest))
        {
            Assert.True(await S.Queue.HeartbeatAsync(c.Task.TaskId, c.LeaseToken, 1100, Lease, 10, Ct));
            Assert.True(await S.Queue.SucceedAsync(c.Task.TaskId, c.LeaseToken, c.Task.TaskId + "/video.mp4", null, 1200, Ct));
        }

        Assert.Equal(950, await S.Accounts.GetBalanceAsync(account, Ct));
        await AssertAuditAsync();
    }

    [Fact]
    public async Task ClaimMany_ReclaimsExpiredLeases_FailsExhaustedTasksWithARefund_AndStillFillsTheBatch()
    {
        var (account, key) = await AccountAsync(1000);
        var exhausted = Task(account, key, now: 1);
        var expired = Task(account, key, now: 2);
        var held = Task(account, key, now: 3);
        await S.Tasks.CreateAsync(exhausted, Ct);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(exhausted.TaskId, Assert.Single(await S.Queue.ClaimManyAsync("w", 1000 + (i * 31_000), Lease, 3, 1, Ct)).Task.TaskId); // last lease ends at 93000
        }

        await S.Tasks.CreateAsync(expired, Ct);
        await S.Tasks.CreateAsync(held, Ct);
        Assert.Equal(expired.TaskId, Assert.Single(await S.Queue.ClaimManyAsync("w", 62_000, Lease, 3, 1, Ct)).Task.TaskId); // lease ends at 92000
        Assert.Equal(held.TaskId, Assert.Single(await S.Queue.ClaimManyAsync("w", 90_000, Lease, 3, 1, Ct)).Task.TaskId); // lease ends at 120000
        var fresh = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var t = Task(account, key, now: 10 + i);
            await S.Tasks.CreateAsync(t, Ct);
            fresh.Add(t.TaskId);
        }

        // Candidates, oldest first: exhausted (failed, not claimed), expired (claim 2), then the
        // fresh ones; held is skipped. The exhausted one's place is taken by the next oldest.
        var batch = await S.Queue.ClaimManyAsync("w2", 100_000, Lease, 3, 3, Ct);
        Assert.Equal([expired.TaskId, fresh[0], fresh[1]], batch.Select(c => c.Task.TaskId));
        Assert.Equal([2, 1, 1], batch.Select(c => c.Attempt));

        var failed = (await S.Tasks.GetAsync(exhausted.TaskId, Ct))!;
        Assert.Equal((TaskState.Fail, FailCodes.InternalError, false, 3), (failed.State, failed.FailCode, failed.Running, failed.Attempts));
        Assert.Contains("interrupted 3 times", failed.FailMsg, StringComparison.Ordinal);
        Assert.Equal(["refund", "charge", "charge", "charge", "charge", "charge", "charge"], (await S.Accounts.LedgerAsync(account, null, 6 + 1, Ct)).Select(e => e.Kind));
        Assert.Equal(1000 - 50, await S.Accounts.GetBalanceAsync(account, Ct));
        Assert.Equal(fresh[2], Assert.Single(await S.Queue.ClaimManyAsync("w3", 100_001, Lease, 3, 5, Ct)).Task.TaskId);
        await AssertAuditAsync();
    }

    [Fact]
    public async Task RacingClaimMany_HandsEachTaskToExactlyOneClaimer()
    {
        var (account, key) = await AccountAsync(100_000);
        var created = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            var t = Task(account, key, now: 1000 + i);
            await S.Tasks.CreateAsync(t, Ct);
            created.Add(t.TaskId);
        }

        var claimed = new System.Collections.Concurrent.ConcurrentBag<ClaimedTask>();
        await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 8).Select(async w =>
        {
            await System.Threading.Tasks.Task.Yield();
            while (await S.Queue.ClaimManyAsync($"w{w}", 5000, Lease, 3, 5, Ct) is { Count: > 0 } batch)
            {
                Assert.True(batch.Count <= 5);
                Assert.Equal(batch.OrderBy(c => c.Task.CreateTime).Select(c => c.Task.TaskId), batch.Select(c => c.Task.TaskId));
                foreach (var c in batch)
                {
                    Assert.Equal((1, true), (c.Attempt, c.Task.Running));
                    claimed.Add(c);
                }
            }
        }));

        Assert.Equal(200, claimed.Count);
        Assert.Equal(created.Order(StringComparer.Ordinal), claimed.Select(c => c.Task.TaskId).Order(StringComparer.Ordinal));
        Assert.Equal(200, claimed.Select(c => c.LeaseToken).Distinct().Count());
        Assert.Empty(await S.Queue.ClaimManyAsync("late", 5000, Lease, 3, 5, Ct));
        Assert.Equal(new QueueStats(0, 200, null), await S.Queue.StatsAsync(5000, Ct));
    }
}
