using Reelgate.Core.Accounts;
using Reelgate.Core.Tasks;

namespace Reelgate.Data.Tests.Conformance;

/// <summary>Per-key limits (issue 23): stored and read back, and the credit limit enforced inside the create transaction.</summary>
public abstract partial class TaskStoreConformance
{
    private static readonly long Day1Noon = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private async Task<string> KeyAsync(string account, KeyLimits limits)
    {
        var key = NewId("key_");
        Assert.True(await S.Accounts.CreateKeyAsync(key, account, "limited", "basic", NewId("sk-")[..12], [4, 5, 6], limits, 1, Ct));
        return key;
    }

    [Fact]
    public async Task KeyLimits_AreStored_ReadBack_Replaced_AndCleared()
    {
        var (account, _) = await AccountAsync(100);
        var limits = new KeyLimits(500, KeyCreditPeriod.Month, ["203.0.113.0/24", "2001:db8::1/128"], 1_900_000_000_000);
        var key = await KeyAsync(account, limits);

        var (owner, info) = (await S.Accounts.GetKeyAsync(key, Ct))!.Value;
        Assert.Equal(account, owner);
        Assert.Equal((500L, KeyCreditPeriod.Month, 1_900_000_000_000L), (info.Limits.CreditLimit!.Value, info.Limits.CreditPeriod!.Value, info.Limits.ExpiresAt!.Value));
        Assert.Equal(["203.0.113.0/24", "2001:db8::1/128"], info.Limits.AllowedIps!);
        var listed = Assert.Single((await S.Accounts.GetAccountAsync(account, Ct))!.Keys, k => k.KeyId == key);
        Assert.Equal(500L, listed.Limits.CreditLimit);
        var stored = Assert.Single(await S.Accounts.FindKeysByLookupAsync(info.Prefix, Ct));
        Assert.Equal(["203.0.113.0/24", "2001:db8::1/128"], stored.Limits.AllowedIps!);

        Assert.True(await S.Accounts.SetKeyLimitsAsync(key, new KeyLimits(7, KeyCreditPeriod.Day, null, null), Ct));
        var replaced = (await S.Accounts.GetKeyAsync(key, Ct))!.Value.Key.Limits;
        Assert.Equal((7L, KeyCreditPeriod.Day, (IReadOnlyList<string>?)null, (long?)null), (replaced.CreditLimit!.Value, replaced.CreditPeriod!.Value, replaced.AllowedIps, replaced.ExpiresAt));
        Assert.True(await S.Accounts.SetKeyLimitsAsync(key, KeyLimits.None, Ct));
        Assert.Equal(KeyLimits.None, (await S.Accounts.GetKeyAsync(key, Ct))!.Value.Key.Limits);
        Assert.False(await S.Accounts.SetKeyLimitsAsync("key_missing", KeyLimits.None, Ct));
        Assert.Null(await S.Accounts.GetKeyAsync("key_missing", Ct));
    }

    [Fact]
    public async Task KeyCreditLimit_RefusesTheCreateOverIt_LeavesTheBalance_AndARefundGivesTheRoomBack()
    {
        var (account, otherKey) = await AccountAsync(1000);
        var key = await KeyAsync(account, new KeyLimits(25, KeyCreditPeriod.Total, null, null));
        var first = Task(account, key, cost: 10);
        Assert.Equal(CreateTaskStatus.Created, (await S.Tasks.CreateAsync(first, Ct)).Status);
        Assert.Equal(CreateTaskStatus.Created, (await S.Tasks.CreateAsync(Task(account, key, cost: 10), Ct)).Status);
        Assert.Equal(new CreateTaskOutcome(CreateTaskStatus.KeyCreditLimit, null), await S.Tasks.CreateAsync(Task(account, key, cost: 10), Ct));
        Assert.Equal(CreateTaskStatus.Created, (await S.Tasks.CreateAsync(Task(account, key, cost: 5), Ct)).Status); // exactly up to the limit
        Assert.Equal(975, await S.Accounts.GetBalanceAsync(account, Ct));
        Assert.Equal(25, await S.Accounts.KeySpentSinceAsync(key, 0, Ct));
        Assert.Equal(CreateTaskStatus.Created, (await S.Tasks.CreateAsync(Task(account, otherKey, cost: 100), Ct)).Status); // the account's other key is not held

        Assert.Equal(CancelOutcome.Cancelled, await S.Tasks.CancelAsync(first.TaskId, account, 200, Ct));
        Assert.Equal(15, await S.Accounts.KeySpentSinceAsync(key, 0, Ct));
        Assert.Equal(CreateTaskStatus.Created, (await S.Tasks.CreateAsync(Task(account, key, cost: 10), Ct)).Status);
        Assert.Equal(CreateTaskStatus.KeyCreditLimit, (await S.Tasks.CreateAsync(Task(account, key, cost: 1), Ct)).Status);

        Assert.True(await S.Accounts.SetKeyLimitsAsync(key, KeyLimits.None, Ct));
        Assert.Equal(CreateTaskStatus.Created, (await S.Tasks.CreateAsync(Task(account, key, cost: 1), Ct)).Status);
        await AssertAuditAsync();
    }

    [Theory]
    [InlineData(KeyCreditPeriod.Day)]
    [InlineData(KeyCreditPeriod.Month)]
    public async Task KeyCreditLimit_CountsItsUtcPeriod_AndTheNextPeriodStartsAfresh(KeyCreditPeriod period)
    {
        var (account, _) = await AccountAsync(1000);
        var key = await KeyAsync(account, new KeyLimits(30, period, null, null));
        var lastOfPeriod = KeyLimits.PeriodEnd(period, Day1Noon)!.Value - 1;
        var nextPeriod = lastOfPeriod + 1;

        Assert.Equal(CreateTaskStatus.Created, (await S.Tasks.CreateAsync(Task(account, key, cost: 20, now: Day1Noon), Ct)).Status);
        Assert.Equal(CreateTaskStatus.KeyCreditLimit, (await S.Tasks.CreateAsync(Task(account, key, cost: 20, now: lastOfPeriod), Ct)).Status);
        Assert.Equal(CreateTaskStatus.Created, (await S.Tasks.CreateAsync(Task(account, key, cost: 30, now: nextPeriod), Ct)).Status);
        Assert.Equal(CreateTaskStatus.KeyCreditLimit, (await S.Tasks.CreateAsync(Task(account, key, cost: 1, now: nextPeriod + 1), Ct)).Status);
        Assert.Equal(30, await S.Accounts.KeySpentSinceAsync(key, KeyLimits.PeriodStart(period, nextPeriod), Ct));
        Assert.Equal(950, await S.Accounts.GetBalanceAsync(account, Ct));
    }

    [Fact]
    public async Task KeyCreditLimit_200RacingCreates_WithRoomForExactly10_Create10()
    {
        var (account, _) = await AccountAsync(1_000_000);
        var key = await KeyAsync(account, new KeyLimits(100, KeyCreditPeriod.Day, null, null));

        var outcomes = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 200).Select(_ =>
            System.Threading.Tasks.Task.Run(() => S.Tasks.CreateAsync(Task(account, key, cost: 10, now: Day1Noon), Ct))));

        Assert.Equal(10, outcomes.Count(o => o.Status == CreateTaskStatus.Created));
        Assert.Equal(190, outcomes.Count(o => o.Status == CreateTaskStatus.KeyCreditLimit));
        Assert.Equal(1_000_000 - 100, await S.Accounts.GetBalanceAsync(account, Ct));
        Assert.Equal(100, await S.Accounts.KeySpentSinceAsync(key, 0, Ct));
        await AssertAuditAsync();
    }

    [Fact]
    public async Task KeySpend_FollowsEveryWayATaskEnds_SuccessKeeps_FailureCancelAndExhaustionGiveBack()
    {
        var (account, _) = await AccountAsync(10_000);
        var key = await KeyAsync(account, new KeyLimits(1_000, KeyCreditPeriod.Total, null, null));
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var t = Task(account, key, cost: 100 + i, now: 100 + i);
            Assert.Equal(CreateTaskStatus.Created, (await S.Tasks.CreateAsync(t, Ct)).Status);
            ids.Add(t.TaskId);
        }

        Assert.Equal(406, await S.Accounts.KeySpentSinceAsync(key, 0, Ct));
        var succeeded = (await S.Queue.ClaimAsync("w", 200, Lease, 1, Ct))!;
        Assert.True(await S.Queue.SucceedAsync(succeeded.Task.TaskId, succeeded.LeaseToken, "r/video.mp4", null, 210, Ct));
        var failed = (await S.Queue.ClaimAsync("w", 220, Lease, 1, Ct))!;
        Assert.True(await S.Queue.FailAsync(failed.Task.TaskId, failed.LeaseToken, "generation_failed", "no", 230, Ct));
        Assert.Equal(406 - 101, await S.Accounts.KeySpentSinceAsync(key, 0, Ct));
        Assert.Equal(CancelOutcome.Cancelled, await S.Tasks.CancelAsync(ids[3], account, 240, Ct));
        var abandoned = (await S.Queue.ClaimAsync("w", 250, Lease, 1, Ct))!; // its lease runs out with no attempt left
        await S.Queue.ReleaseExpiredAsync(250 + (long)Lease.TotalMilliseconds + 1, 1, Ct);
        Assert.Equal(TaskState.Fail, (await S.Tasks.GetAsync(abandoned.Task.TaskId, Ct))!.State);

        Assert.Equal(100, await S.Accounts.KeySpentSinceAsync(key, 0, Ct)); // only the success is spent
        Assert.Equal(10_000 - 100, await S.Accounts.GetBalanceAsync(account, Ct));
        await AssertAuditAsync();
    }
}
