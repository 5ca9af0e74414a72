using Reelgate.Core.Tasks;

namespace Reelgate.Data.Tests.Conformance;

/// <summary>The queue position recordInfo reports for a waiting task (issue 23): the claim order, counted.</summary>
public abstract partial class TaskStoreConformance
{
    [Fact]
    public async Task QueuePosition_FollowsTheClaimOrder_DecreasingToOneThenNone()
    {
        var (account, key) = await AccountAsync(1000);
        var ids = new List<string>();
        foreach (var at in new long[] { 103, 101, 102 })
        {
            var t = Task(account, key, now: at);
            await S.Tasks.CreateAsync(t, Ct);
            ids.Add(t.TaskId);
        }

        var (at103, at101, at102) = (ids[0], ids[1], ids[2]);
        Assert.Equal(1, await S.Tasks.QueuePositionAsync(at101, 1000, Ct));
        Assert.Equal(2, await S.Tasks.QueuePositionAsync(at102, 1000, Ct));
        Assert.Equal(3, await S.Tasks.QueuePositionAsync(at103, 1000, Ct));
        Assert.Null(await S.Tasks.QueuePositionAsync("task_none", 1000, Ct));

        // The claim takes the first: it has no position any more, the others move up by one.
        var first = (await S.Queue.ClaimAsync("w", 1000, Lease, 3, Ct))!;
        Assert.Equal(at101, first.Task.TaskId);
        Assert.Null(await S.Tasks.QueuePositionAsync(at101, 1001, Ct));
        Assert.Equal(1, await S.Tasks.QueuePositionAsync(at102, 1001, Ct));
        Assert.Equal(2, await S.Tasks.QueuePositionAsync(at103, 1001, Ct));

        // Finished tasks have none; cancelling the head moves the last one up.
        Assert.True(await S.Queue.SucceedAsync(at101, first.LeaseToken, at101 + "/video.mp4", null, 1100, Ct));
        Assert.Null(await S.Tasks.QueuePositionAsync(at101, 1101, Ct));
        Assert.Equal(CancelOutcome.Cancelled, await S.Tasks.CancelAsync(at102, account, 1102, Ct));
        Assert.Equal(1, await S.Tasks.QueuePositionAsync(at103, 1103, Ct));
        await AssertAuditAsync();
    }
}
