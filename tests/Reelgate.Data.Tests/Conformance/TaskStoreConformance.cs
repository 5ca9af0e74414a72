using Reelgate.Core.Accounts;
using Reelgate.Core.Callbacks;
using Reelgate.Core.Leadership;
using Reelgate.Core.Tasks;

namespace Reelgate.Data.Tests.Conformance;

/// <summary>The stores a backend provides, opened on one database.</summary>
public sealed record StoreSet(IAccountStore Accounts, ITaskStore Tasks, ITaskQueue Queue, ICallbackOutbox Callbacks, ILeaderLease Leases, Reelgate.Core.Engines.IEngineAttempts Attempts, IReelgateDatabase Database);

/// <summary>
/// The task store, queue, callback outbox and leader lease contracts, run unchanged against every
/// backend: creates with idempotency, limits and billing under races; claims under races; lease
/// expiry and re-delivery after a lost worker; exactly-once ending; a reopened database
/// (a restarted process) keeping everything and recovering abandoned leases.
/// </summary>
public abstract partial class TaskStoreConformance : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected StoreSet S { get; private set; } = null!;

    public async ValueTask InitializeAsync() => S = await OpenAsync();

    public virtual ValueTask DisposeAsync() => CloseAsync();

    /// <summary>Opens (or reopens, after <see cref="CloseAsync"/>) the backend's stores on the test's database.</summary>
    protected abstract Task<StoreSet> OpenAsync();

    /// <summary>Closes every connection, as a process exit does; the database stays.</summary>
    protected abstract ValueTask CloseAsync();

    /// <summary>
    /// Runs raw SQL statements (separated by <c>"; "</c>) in one transaction on a connection of
    /// its own, as any other writer would; the database's error message, or null when it committed.
    /// </summary>
    protected abstract Task<string?> TryRawAsync(string sql);

    [Fact]
    public async Task TheDatabaseItself_RefusesUnbilledTasks_RefundsOfUnfailedOnes_ChangesToEndedOnes_AndDeletes()
    {
        await S.Accounts.CreateAccountAsync("acc_raw", "raw", 100, 1, Ct);
        await S.Accounts.CreateKeyAsync("key_raw", "acc_raw", "ci", "basic", "sk-rawrawraw", [1], Reelgate.Core.Accounts.KeyLimits.None, 1, Ct);
        await S.Tasks.CreateAsync(Task("acc_raw", "key_raw") with { TaskId = "task_raw", Now = 5 }, Ct);
        var c = (await S.Queue.ClaimAsync("w", 10, Lease, 3, Ct))!;
        Assert.True(await S.Queue.SucceedAsync("task_raw", c.LeaseToken, "task_raw/video.mp4", null, 20, Ct));

        Assert.Contains("charged", await TryRawAsync("INSERT INTO tasks (id, account_id, key_id, model, state, param, input, cost, seed, create_time, update_time) VALUES ('task_free', 'acc_raw', 'key_raw', 'm', 'waiting', '{}', '{}', 10, 1, 1, 1)"));
        Assert.Contains("has ended", await TryRawAsync("UPDATE tasks SET state = 'fail', fail_code = 'x' WHERE id = 'task_raw'"));
        Assert.Contains("never deleted", await TryRawAsync("DELETE FROM tasks WHERE id = 'task_raw'"));
        Assert.Contains("was refunded but did not fail", await TryRawAsync("INSERT INTO ledger (account_id, amount, kind, reason, task_id, created_at) VALUES ('acc_raw', 10, 'refund', 'sneaky', 'task_raw', 30); UPDATE tasks SET update_time = 31 WHERE id = 'task_raw'"));
        Assert.Contains("cannot change", await TryRawAsync("UPDATE tasks SET cost = 0 WHERE id = 'task_raw'"));
        Assert.NotNull(await TryRawAsync("INSERT INTO ledger (account_id, amount, kind, reason, task_id, created_at) VALUES ('acc_raw', -10, 'charge', 'twice', 'task_raw', 40)"));
        Assert.NotNull(await TryRawAsync("UPDATE ledger SET amount = 0 WHERE task_id = 'task_raw'"));
        Assert.NotNull(await TryRawAsync("DELETE FROM ledger WHERE task_id = 'task_raw'"));

        // What the rules allow still works: retention marks the ended task's files as removed.
        Assert.Null(await TryRawAsync("UPDATE tasks SET results_expired_at = 50 WHERE id = 'task_raw'"));
        Assert.Equal(90, await S.Accounts.GetBalanceAsync("acc_raw", Ct));
        Assert.Equal(TaskState.Success, (await S.Tasks.GetAsync("task_raw", Ct))!.State);
    }

    [Fact]
    public async Task Release_GivesTheTaskBackAtOnce_WithoutCountingTheClaim_AndOnlyWithTheLease()
    {
        var (account, key) = await AccountAsync(100);
        var t = Task(account, key);
        await S.Tasks.CreateAsync(t, Ct);
        var first = (await S.Queue.ClaimAsync("w1", 200, Lease, 3, Ct))!;
        Assert.False(await S.Queue.ReleaseAsync(t.TaskId, "not-the-token", 210, Ct));
        Assert.True(await S.Queue.ReleaseAsync(t.TaskId, first.LeaseToken, 210, Ct));
        Assert.False(await S.Queue.ReleaseAsync(t.TaskId, first.LeaseToken, 211, Ct));
        Assert.False(await S.Queue.HeartbeatAsync(t.TaskId, first.LeaseToken, 212, Lease, 5, Ct));

        // Claimable at once (no lease to wait out), and the released claim was not counted.
        var second = (await S.Queue.ClaimAsync("w2", 220, Lease, 3, Ct))!;
        Assert.Equal(t.TaskId, second.Task.TaskId);
        Assert.Equal(first.Attempt, second.Attempt);
        Assert.True(await S.Queue.SucceedAsync(t.TaskId, second.LeaseToken, t.TaskId + "/video.mp4", null, 230, Ct));
        Assert.False(await S.Queue.ReleaseAsync(t.TaskId, second.LeaseToken, 240, Ct));
        Assert.Equal(90, await S.Accounts.GetBalanceAsync(account, Ct));
    }

    [Fact]
    public async Task Create_StoresTheResolvedSpec_AndTheClaimReadsItBack()
    {
        var (account, key) = await AccountAsync(100);
        var spec = new Reelgate.Core.Catalog.GenerationSpec("seedance-2.0-text-to-video", "a \"quoted\" prompt, 東京", "9:16", "720p", 720, 1280, 24, 7, true, 4294967295, true) { ContentCheck = true };
        var t = Task(account, key) with { Spec = spec };
        await S.Tasks.CreateAsync(t, Ct);
        var legacy = Task(account, key, now: 101);
        await S.Tasks.CreateAsync(legacy, Ct);

        Assert.Equal(spec, (await S.Tasks.GetAsync(t.TaskId, Ct))!.Spec);
        Assert.Equal(spec, (await S.Queue.ClaimAsync("w", 200, Lease, 3, Ct))!.Task.Spec);
        Assert.Null((await S.Queue.ClaimAsync("w", 200, Lease, 3, Ct))!.Task.Spec); // a task stored without one reads as none
    }

    [Fact]
    public async Task Retention_ListsOldSuccessesOnly_OldestFirst_AndMarksOnce()
    {
        var (account, key) = await AccountAsync(1000);
        var done = new List<string>();
        foreach (var finish in new long[] { 300, 200, 400 })
        {
            var t = Task(account, key);
            await S.Tasks.CreateAsync(t, Ct);
            var c = (await S.Queue.ClaimAsync("w", finish - 1, Lease, 3, Ct))!;
            Assert.True(await S.Queue.SucceedAsync(c.Task.TaskId, c.LeaseToken, c.Task.TaskId + "/video.mp4", null, finish, Ct));
            done.Add(c.Task.TaskId);
        }

        var failed = Task(account, key);
        await S.Tasks.CreateAsync(failed, Ct);
        var f = (await S.Queue.ClaimAsync("w", 150, Lease, 3, Ct))!;
        Assert.True(await S.Queue.FailAsync(f.Task.TaskId, f.LeaseToken, "generation_failed", "x", 160, Ct));

        var due = await S.Tasks.ListResultsToExpireAsync(350, 10, Ct);
        Assert.Equal([200L, 300L], due.Select(t => t.CompleteTime!.Value));
        Assert.Single(await S.Tasks.ListResultsToExpireAsync(350, 1, Ct));
        Assert.True(await S.Tasks.MarkResultsExpiredAsync(due[0].TaskId, 500, Ct));
        Assert.False(await S.Tasks.MarkResultsExpiredAsync(due[0].TaskId, 501, Ct));
        Assert.False(await S.Tasks.MarkResultsExpiredAsync(f.Task.TaskId, 502, Ct));
        Assert.Equal(500, (await S.Tasks.GetAsync(due[0].TaskId, Ct))!.ResultsExpiredAt);
        Assert.Equal("success", (await S.Tasks.GetAsync(due[0].TaskId, Ct))!.State);
        Assert.Equal([due[1].TaskId], (await S.Tasks.ListResultsToExpireAsync(350, 10, Ct)).Select(t => t.TaskId));
    }

    [Fact]
    public async Task EngineAttempts_AreKeptInOrder_EndOnce_AndAnUpstreamIdNeverChanges()
    {
        var (account, key) = await AccountAsync(100);
        var t = Task(account, key);
        await S.Tasks.CreateAsync(t, Ct);

        var first = await S.Attempts.BeginAsync(t.TaskId, 1, "ark", null, 200, Ct);
        await S.Attempts.SetUpstreamIdAsync(first, "cgt-1", Ct);
        await S.Attempts.SetUpstreamIdAsync(first, "cgt-1", Ct);
        await Assert.ThrowsAnyAsync<Exception>(() => S.Attempts.SetUpstreamIdAsync(first, "cgt-2", Ct));
        await S.Attempts.EndAsync(first, "interrupted", null, "claim 2 took over", null, 300, Ct);
        await S.Attempts.EndAsync(first, "succeeded", null, null, null, 310, Ct);
        var second = await S.Attempts.BeginAsync(t.TaskId, 2, "ark", "cgt-1", 400, Ct);
        await S.Attempts.EndAsync(second, "succeeded", null, null, """{"total_tokens":5}""", 500, Ct);

        var list = await S.Attempts.ListAsync(t.TaskId, Ct);
        Assert.Equal([first, second], list.Select(a => a.Id));
        Assert.Equal(("ark", "cgt-1", "interrupted", "claim 2 took over", 1, 200L, (long?)300L), (list[0].Engine, list[0].UpstreamId, list[0].Outcome, list[0].Detail, list[0].Claim, list[0].StartedAt, list[0].EndedAt));
        Assert.Equal(("cgt-1", "succeeded", """{"total_tokens":5}""", 2), (list[1].UpstreamId, list[1].Outcome, list[1].Usage, list[1].Claim));
        Assert.Empty(await S.Attempts.ListAsync("task_none", Ct));
    }

    [Fact]
    public async Task QueueStats_CountQueuedAndGenerating_AsTheClaimSeesThem_WithTheOldestQueued()
    {
        Assert.Equal(new QueueStats(0, 0, null), await S.Queue.StatsAsync(1_000, Ct));
        var (account, key) = await AccountAsync(100);
        var first = Task(account, key, now: 100);
        var second = Task(account, key, now: 200);
        var third = Task(account, key, now: 300);
        foreach (var t in new[] { first, second, third })
        {
            await S.Tasks.CreateAsync(t, Ct);
        }

        Assert.Equal(new QueueStats(3, 0, 100), await S.Queue.StatsAsync(1_000, Ct));

        var claimed = (await S.Queue.ClaimAsync("w", 1_000, Lease, 3, Ct))!;
        Assert.Equal(first.TaskId, claimed.Task.TaskId);
        Assert.Equal(new QueueStats(2, 1, 200), await S.Queue.StatsAsync(1_000, Ct));

        // Once the lease has expired the task is claimable again, so it counts as queued.
        Assert.Equal(new QueueStats(3, 0, 100), await S.Queue.StatsAsync(1_000 + (long)Lease.TotalMilliseconds, Ct));

        Assert.True(await S.Queue.SucceedAsync(first.TaskId, claimed.LeaseToken, first.TaskId + "/video.mp4", null, 2_000, Ct));
        Assert.Equal(CancelOutcome.Cancelled, await S.Tasks.CancelAsync(second.TaskId, account, 2_000, Ct));
        Assert.Equal(new QueueStats(1, 0, 300), await S.Queue.StatsAsync(3_000, Ct));
    }

    [Fact]
    public async Task Ping_Answers_WhenTheDatabaseIsUp()
    {
        await S.Database.PingAsync(Ct);
        await S.Database.PingAsync(Ct);
    }

    private static string NewId(string prefix) => prefix + Guid.NewGuid().ToString("N");

    private async Task<(string Account, string Key)> AccountAsync(long credits)
    {
        var account = NewId("acc_");
        var key = NewId("key_");
        await S.Accounts.CreateAccountAsync(account, "conformance", credits, 1, Ct);
        Assert.True(await S.Accounts.CreateKeyAsync(key, account, "ci", "basic", NewId("sk-")[..12], [1, 2, 3], Reelgate.Core.Accounts.KeyLimits.None, 1, Ct));
        return (account, key);
    }

    private static NewTask Task(string account, string key, long cost = 10, long now = 100, string? requestId = null, string? hash = null, int? limit = null, string? callback = null) =>
        TestTasks.New(NewId("task_"), account, key, cost, now, requestId, hash, limit, callback);

    private async Task AssertAuditAsync()
    {
        Assert.All(await S.Accounts.AuditAsync(Ct), e => Assert.True(e.Ok, $"{e.AccountId}: balance {e.Balance} != ledger {e.LedgerSum}"));
    }

    [Fact]
    public async Task Create_ChargesOnce_ReplaysTheSameRequest_AndRefusesAConflictingOne()
    {
        var (account, key) = await AccountAsync(100);
        var first = Task(account, key, requestId: "r1", hash: "h1");

        Assert.Equal(new CreateTaskOutcome(CreateTaskStatus.Created, first.TaskId), await S.Tasks.CreateAsync(first, Ct));
        Assert.Equal(new CreateTaskOutcome(CreateTaskStatus.Replayed, first.TaskId), await S.Tasks.CreateAsync(Task(account, key, requestId: "r1", hash: "h1"), Ct));
        Assert.Equal(new CreateTaskOutcome(CreateTaskStatus.RequestConflict, first.TaskId), await S.Tasks.CreateAsync(Task(account, key, requestId: "r1", hash: "h2"), Ct));
        Assert.Equal(90, await S.Accounts.GetBalanceAsync(account, Ct));

        var stored = await S.Tasks.GetAsync(first.TaskId, Ct);
        Assert.Equal((TaskState.Waiting, 10L, 7L, false, 0, "http://127.0.0.1:1"), (stored!.State, stored.Cost, stored.Seed, stored.Running, stored.Attempts, stored.BaseUrl));
        Assert.Null(await S.Tasks.GetAsync("task_missing", Ct));
        var charge = Assert.Single(await S.Accounts.LedgerAsync(account, null, 10, Ct), e => e.Kind == "charge");
        Assert.Equal((-10L, first.TaskId), (charge.Amount, charge.TaskId));
        await AssertAuditAsync();
    }

    [Fact]
    public async Task RacingCreates_WithOneRequestId_MakeOneTask_AndOneCharge()
    {
        var (account, key) = await AccountAsync(1000);

        var outcomes = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 24).Select(_ => S.Tasks.CreateAsync(Task(account, key, requestId: "same", hash: "h"), Ct)));

        Assert.Single(outcomes, o => o.Status == CreateTaskStatus.Created);
        Assert.Equal(23, outcomes.Count(o => o.Status == CreateTaskStatus.Replayed));
        Assert.Single(outcomes.Select(o => o.TaskId).Distinct());
        Assert.Equal(990, await S.Accounts.GetBalanceAsync(account, Ct));
        await AssertAuditAsync();
    }

    [Fact]
    public async Task RacingCreates_NeverOverdraw_AndRespectTheActiveTaskLimit()
    {
        var (poor, poorKey) = await AccountAsync(75); // room for 7 tasks of 10
        var poorOutcomes = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 30).Select(_ => S.Tasks.CreateAsync(Task(poor, poorKey), Ct)));
        Assert.Equal(7, poorOutcomes.Count(o => o.Status == CreateTaskStatus.Created));
        Assert.Equal(23, poorOutcomes.Count(o => o.Status == CreateTaskStatus.InsufficientCredits));
        Assert.Equal(5, await S.Accounts.GetBalanceAsync(poor, Ct));

        var (rich, richKey) = await AccountAsync(10_000);
        var limited = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 20).Select(_ => S.Tasks.CreateAsync(Task(rich, richKey, limit: 3), Ct)));
        Assert.Equal(3, limited.Count(o => o.Status == CreateTaskStatus.Created));
        Assert.Equal(17, limited.Count(o => o.Status == CreateTaskStatus.ActiveTaskLimit));
        Assert.Equal(9_970, await S.Accounts.GetBalanceAsync(rich, Ct));
        await AssertAuditAsync();
    }

    [Fact]
    public async Task RacingWorkers_ClaimEachTaskOnce_OldestFirst()
    {
        var (account, key) = await AccountAsync(10_000);
        var created = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var t = Task(account, key, now: 1000 + i);
            await S.Tasks.CreateAsync(t, Ct);
            created.Add(t.TaskId);
        }

        var claimed = new System.Collections.Concurrent.ConcurrentBag<(string Worker, string Task)>();
        await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 6).Select(async w =>
        {
            while (await S.Queue.ClaimAsync($"w{w}", 5000, Lease, 3, Ct) is { } c)
            {
                Assert.Equal(1, c.Attempt);
                Assert.True(c.Task.Running);
                claimed.Add(($"w{w}", c.Task.TaskId));
            }
        }));

        Assert.Equal(30, claimed.Count);
        Assert.Equal(created.Order(), claimed.Select(c => c.Task).Order());
        Assert.Null(await S.Queue.ClaimAsync("late", 5000, Lease, 3, Ct));
        Assert.Equal(5000 + (long)Lease.TotalMilliseconds, await S.Queue.NextLeaseExpiryAsync(Ct));

        // Oldest first, one worker at a time.
        var (account2, key2) = await AccountAsync(100);
        var older = Task(account2, key2, now: 1);
        var newer = Task(account2, key2, now: 2);
        await S.Tasks.CreateAsync(newer, Ct);
        await S.Tasks.CreateAsync(older, Ct);
        Assert.Equal(older.TaskId, (await S.Queue.ClaimAsync("solo", 5000, Lease, 3, Ct))!.Task.TaskId);
    }

    [Fact]
    public async Task ALostWorker_IsReplacedAfterItsLease_AndTheLateFinisherChangesNothing()
    {
        var (account, key) = await AccountAsync(100);
        var t = Task(account, key, callback: "http://127.0.0.1:9/hook");
        await S.Tasks.CreateAsync(t, Ct);

        var first = (await S.Queue.ClaimAsync("a", 1000, Lease, 3, Ct))!;
        await S.Attempts.BeginAsync(t.TaskId, 1, "ark", null, 1500, Ct); // left running by the lost worker
        Assert.True(await S.Queue.HeartbeatAsync(t.TaskId, first.LeaseToken, 2000, Lease, 40, Ct));
        Assert.Null(await S.Queue.ClaimAsync("b", 2000 + 29_999, Lease, 3, Ct)); // still held
        var second = (await S.Queue.ClaimAsync("b", 2000 + 30_000, Lease, 3, Ct))!;
        Assert.Equal((t.TaskId, 2), (second.Task.TaskId, second.Attempt));
        Assert.True(second.HasRunningAttempts); // the new claim must look for the attempt to take over
        Assert.NotEqual(first.LeaseToken, second.LeaseToken);

        Assert.False(await S.Queue.HeartbeatAsync(t.TaskId, first.LeaseToken, 33_000, Lease, 50, Ct));
        Assert.False(await S.Queue.SucceedAsync(t.TaskId, first.LeaseToken, t.TaskId + "/video.mp4", null, 33_000, Ct));
        Assert.False(await S.Queue.FailAsync(t.TaskId, first.LeaseToken, FailCodes.InternalError, "late", 33_000, Ct));
        Assert.True(await S.Queue.SucceedAsync(t.TaskId, second.LeaseToken, t.TaskId + "/video.mp4", t.TaskId + "/thumb.jpg", 34_000, Ct));
        Assert.False(await S.Queue.SucceedAsync(t.TaskId, second.LeaseToken, t.TaskId + "/video.mp4", null, 35_000, Ct));
        Assert.False(await S.Queue.FailAsync(t.TaskId, second.LeaseToken, FailCodes.InternalError, "twice", 35_000, Ct));

        var done = (await S.Tasks.GetAsync(t.TaskId, Ct))!;
        Assert.Equal((TaskState.Success, t.TaskId + "/video.mp4", t.TaskId + "/thumb.jpg", 100, 34_000L, false, 2), (done.State, done.ResultKey, done.ThumbnailKey, done.Progress, done.CompleteTime, done.Running, done.Attempts));
        Assert.Equal(90, await S.Accounts.GetBalanceAsync(account, Ct));
        Assert.Single(await S.Callbacks.ListByTaskAsync(t.TaskId, Ct));
        await AssertAuditAsync();
    }

    [Fact]
    public async Task ATaskThatKeepsLosingItsWorker_FailsWithARefund_AfterMaxAttempts()
    {
        var (account, key) = await AccountAsync(100);
        var t = Task(account, key);
        await S.Tasks.CreateAsync(t, Ct);
        var now = 1000L;
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(i, (await S.Queue.ClaimAsync("w", now, Lease, 3, Ct))!.Attempt);
            now += 31_000;
        }

        Assert.Null(await S.Queue.ClaimAsync("w", now, Lease, 3, Ct));
        var failed = (await S.Tasks.GetAsync(t.TaskId, Ct))!;
        Assert.Equal((TaskState.Fail, FailCodes.InternalError, false), (failed.State, failed.FailCode, failed.Running));
        Assert.Equal(100, await S.Accounts.GetBalanceAsync(account, Ct));
        Assert.Equal(["refund", "charge", "grant"], (await S.Accounts.LedgerAsync(account, null, 10, Ct)).Select(e => e.Kind));
        await AssertAuditAsync();
    }

    [Fact]
    public async Task TheSweep_RequeuesExpiredLeases_AndFailsExhaustedTasks_WithoutAWorker()
    {
        var (account, key) = await AccountAsync(100);
        var exhausted = Task(account, key, now: 0);
        var fresh = Task(account, key, now: 1);
        var lost = Task(account, key, now: 2);
        foreach (var t in new[] { exhausted, fresh, lost })
        {
            await S.Tasks.CreateAsync(t, Ct);
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(exhausted.TaskId, (await S.Queue.ClaimAsync("w", 1000 + (i * 31_000), Lease, 3, Ct))!.Task.TaskId); // last lease ends at 93000
        }

        var held = (await S.Queue.ClaimAsync("w", 90_000, Lease, 3, Ct))!; // fresh: lease valid until 120000
        var old = (await S.Queue.ClaimAsync("w", 1000, Lease, 3, Ct))!; // lost: lease ended at 31000
        Assert.Equal((fresh.TaskId, lost.TaskId), (held.Task.TaskId, old.Task.TaskId));

        var swept = await S.Queue.ReleaseExpiredAsync(100_000, 3, Ct);
        Assert.Equal(1, swept.Requeued);
        Assert.Equal(new SweptTask(exhausted.TaskId, exhausted.Model, exhausted.Cost), Assert.Single(swept.FailedTasks));

        Assert.True((await S.Tasks.GetAsync(fresh.TaskId, Ct))!.Running);
        var requeued = (await S.Tasks.GetAsync(lost.TaskId, Ct))!;
        Assert.Equal((TaskState.Waiting, false), (requeued.State, requeued.Running));
        Assert.False(await S.Queue.SucceedAsync(lost.TaskId, old.LeaseToken, lost.TaskId + "/video.mp4", null, 100_001, Ct));
        var failed = (await S.Tasks.GetAsync(exhausted.TaskId, Ct))!;
        Assert.Equal((TaskState.Fail, FailCodes.InternalError), (failed.State, failed.FailCode));
        var again = await S.Queue.ReleaseExpiredAsync(100_000, 3, Ct);
        Assert.Equal((0, 0), (again.Requeued, again.Failed));
        Assert.Equal((lost.TaskId, 2), ((await S.Queue.ClaimAsync("w2", 100_002, Lease, 3, Ct))!.Task.TaskId, 2));
        Assert.Equal(80, await S.Accounts.GetBalanceAsync(account, Ct)); // 3 x 10 charged, 10 refunded
        await AssertAuditAsync();
    }

    [Fact]
    public async Task Succeed_Fail_AndCancel_RacingOnOneTask_EndItOnce_WithAtMostOneRefund()
    {
        for (var round = 0; round < 10; round++)
        {
            var (account, key) = await AccountAsync(100);
            var t = Task(account, key);
            await S.Tasks.CreateAsync(t, Ct);
            var c = (await S.Queue.ClaimAsync("w", 1000, Lease, 3, Ct))!;

            var results = await System.Threading.Tasks.Task.WhenAll(
                S.Queue.SucceedAsync(t.TaskId, c.LeaseToken, t.TaskId + "/video.mp4", null, 2000, Ct),
                S.Queue.FailAsync(t.TaskId, c.LeaseToken, FailCodes.GenerationFailed, "boom", 2000, Ct),
                S.Tasks.CancelAsync(t.TaskId, account, 2000, Ct).ContinueWith(x => x.Result == CancelOutcome.Cancelled, TaskScheduler.Default),
                S.Queue.FailAsync(t.TaskId, c.LeaseToken, FailCodes.Timeout, "slow", 2000, Ct));

            Assert.Single(results, r => r);
            var ended = (await S.Tasks.GetAsync(t.TaskId, Ct))!;
            Assert.Equal(ended.State == TaskState.Success ? 90 : 100, await S.Accounts.GetBalanceAsync(account, Ct));
        }

        await AssertAuditAsync();
    }

    [Fact]
    public async Task TopUps_CountTheCreditsOfWaitingTasks_SoARefundNeverPassesTheBound()
    {
        var (account, key) = await AccountAsync(Credits.MaxBalance);
        var waiting = Task(account, key, cost: 100);
        Assert.Equal(CreateTaskStatus.Created, (await S.Tasks.CreateAsync(waiting, Ct)).Status);

        // 100 below the bound, but the waiting task's 100 may come back as a refund.
        Assert.Equal(new CreditAdjustment(CreditAdjustStatus.BalanceLimit, Credits.MaxBalance - 100), await S.Accounts.AdjustCreditsAsync(account, 1, "top-up", 150, Ct));
        Assert.Equal(CancelOutcome.Cancelled, await S.Tasks.CancelAsync(waiting.TaskId, account, 200, Ct));
        Assert.Equal(Credits.MaxBalance, await S.Accounts.GetBalanceAsync(account, Ct));

        // A success keeps its cost: that room can be topped up again.
        var done = Task(account, key, cost: 100, now: 300);
        await S.Tasks.CreateAsync(done, Ct);
        var c = (await S.Queue.ClaimAsync("w", 310, Lease, 3, Ct))!;
        Assert.True(await S.Queue.SucceedAsync(done.TaskId, c.LeaseToken, done.TaskId + "/video.mp4", null, 320, Ct));
        Assert.Equal(new CreditAdjustment(CreditAdjustStatus.Applied, Credits.MaxBalance), await S.Accounts.AdjustCreditsAsync(account, 100, "top-up", 330, Ct));
        await AssertAuditAsync();
    }

    [Fact]
    public async Task Cancel_RefundsAWaitingTask_OnceAndOnlyForItsAccount()
    {
        var (account, key) = await AccountAsync(100);
        var (other, _) = await AccountAsync(0);
        var t = Task(account, key);
        await S.Tasks.CreateAsync(t, Ct);
        var c = (await S.Queue.ClaimAsync("w", 1000, Lease, 3, Ct))!;

        Assert.Equal(CancelOutcome.NotFound, await S.Tasks.CancelAsync(t.TaskId, other, 1500, Ct));
        Assert.Equal(CancelOutcome.NotFound, await S.Tasks.CancelAsync("task_missing", account, 1500, Ct));
        Assert.Equal(CancelOutcome.Cancelled, await S.Tasks.CancelAsync(t.TaskId, account, 2000, Ct));
        Assert.Equal(CancelOutcome.AlreadyFinished, await S.Tasks.CancelAsync(t.TaskId, account, 2001, Ct));
        Assert.False(await S.Queue.HeartbeatAsync(t.TaskId, c.LeaseToken, 2002, Lease, 50, Ct)); // the worker learns its lease is gone
        var cancelled = (await S.Tasks.GetAsync(t.TaskId, Ct))!;
        Assert.Equal((TaskState.Fail, FailCodes.Cancelled, 2000L), (cancelled.State, cancelled.FailCode, cancelled.CompleteTime));
        Assert.Equal(100, await S.Accounts.GetBalanceAsync(account, Ct));
        await AssertAuditAsync();
    }

    [Fact]
    public async Task List_PagesNewestFirst_WithFilters_StableWhileTasksArrive()
    {
        var (account, key) = await AccountAsync(1000);
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var t = Task(account, key, now: 100 + (i / 2)); // pairs share a create time: the id breaks the tie
            await S.Tasks.CreateAsync(t, Ct);
            ids.Add(t.TaskId);
        }

        var expected = ids.Select((id, i) => (id, time: 100 + (i / 2))).OrderByDescending(x => x.time).ThenByDescending(x => x.id, StringComparer.Ordinal).Select(x => x.id).ToList();
        var page1 = await S.Tasks.ListAsync(account, null, null, null, 3, Ct);
        await S.Tasks.CreateAsync(Task(account, key, now: 500), Ct); // arrives between pages
        var page2 = await S.Tasks.ListAsync(account, null, null, new TaskCursor(page1[^1].CreateTime, page1[^1].TaskId), 3, Ct);
        var page3 = await S.Tasks.ListAsync(account, null, null, new TaskCursor(page2[^1].CreateTime, page2[^1].TaskId), 3, Ct);
        Assert.Equal(expected, page1.Concat(page2).Concat(page3).Select(t => t.TaskId));

        var c = (await S.Queue.ClaimAsync("w", 1000, Lease, 3, Ct))!;
        await S.Queue.FailAsync(c.Task.TaskId, c.LeaseToken, FailCodes.GenerationFailed, "x", 1001, Ct);
        Assert.Equal([c.Task.TaskId], (await S.Tasks.ListAsync(account, TaskState.Fail, null, null, 10, Ct)).Select(t => t.TaskId));
        Assert.Empty(await S.Tasks.ListAsync(account, null, "other-model", null, 10, Ct));
    }

    [Fact]
    public async Task List_PagesOldestFirst_WhenAsked_TheMirrorOfNewestFirst()
    {
        var (account, key) = await AccountAsync(1000);
        for (var i = 0; i < 5; i++)
        {
            await S.Tasks.CreateAsync(Task(account, key, now: 100 + (i / 2)), Ct);
        }

        var newest = (await S.Tasks.ListAsync(account, null, null, null, 10, Ct)).Select(t => t.TaskId).ToList();
        var page1 = await S.Tasks.ListAsync(account, null, null, null, 2, Ct, oldestFirst: true);
        var page2 = await S.Tasks.ListAsync(account, null, null, new TaskCursor(page1[^1].CreateTime, page1[^1].TaskId), 2, Ct, oldestFirst: true);
        var page3 = await S.Tasks.ListAsync(account, null, null, new TaskCursor(page2[^1].CreateTime, page2[^1].TaskId), 2, Ct, oldestFirst: true);
        Assert.Equal(Enumerable.Reverse(newest), page1.Concat(page2).Concat(page3).Select(t => t.TaskId));
    }

    [Fact]
    public async Task CallbackOutbox_DeliversEachEndedTaskOnce_ToOneSenderAtATime()
    {
        var (account, key) = await AccountAsync(1000);
        var tasks = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var t = Task(account, key, callback: "http://127.0.0.1:9/hook");
            await S.Tasks.CreateAsync(t, Ct);
            var c = (await S.Queue.ClaimAsync("w", 1000, Lease, 3, Ct))!;
            Assert.True(i % 2 == 0
                ? await S.Queue.SucceedAsync(c.Task.TaskId, c.LeaseToken, c.Task.TaskId + "/video.mp4", null, 2000, Ct)
                : await S.Queue.FailAsync(c.Task.TaskId, c.LeaseToken, FailCodes.GenerationFailed, "x", 2000, Ct));
            tasks.Add(c.Task.TaskId);
        }

        await S.Tasks.CreateAsync(Task(account, key), Ct); // no callback URL: no delivery
        Assert.Equal(2000, await S.Callbacks.NextDueAsync(Ct));

        var claims = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 4).Select(_ => S.Callbacks.ClaimDueAsync(3000, TimeSpan.FromSeconds(10), 5, Ct)));
        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(12, all.Count);
        Assert.Equal(tasks.Order(), all.Select(d => d.TaskId).Order());
        Assert.Empty(await S.Callbacks.ClaimDueAsync(4000, TimeSpan.FromSeconds(10), 5, Ct)); // leased

        var d0 = all[0];
        await S.Callbacks.RecordAttemptAsync(d0.Id, new CallbackAttempt(4000, 500, null, 12), 9000, Ct);
        Assert.DoesNotContain(await S.Callbacks.ClaimDueAsync(8999, TimeSpan.FromSeconds(10), 50, Ct), d => d.Id == d0.Id);
        var retried = Assert.Single(await S.Callbacks.ClaimDueAsync(9000, TimeSpan.FromSeconds(10), 50, Ct), d => d.Id == d0.Id);
        Assert.Equal(1, retried.Attempts);
        await S.Callbacks.RecordAttemptAsync(d0.Id, new CallbackAttempt(9001, 204, null, 3), null, Ct);
        var view = Assert.Single(await S.Callbacks.ListByTaskAsync(d0.TaskId, Ct));
        Assert.Equal(("delivered", 2), (view.State, view.Attempts));
        Assert.Equal([500, 204], view.History.Select(h => h.StatusCode ?? 0));

        var secret = await S.Callbacks.GetOrCreateSecretAsync(account, "first", Ct);
        Assert.Equal("first", secret);
        Assert.Equal("first", await S.Callbacks.GetOrCreateSecretAsync(account, "second", Ct));
        Assert.True(await S.Callbacks.RotateSecretAsync(account, "third", Ct));
        Assert.Equal("third", await S.Callbacks.GetOrCreateSecretAsync(account, "fourth", Ct));
        Assert.False(await S.Callbacks.RotateSecretAsync("acc_missing", "x", Ct));
    }

    [Fact]
    public async Task LeaderLease_HasOneHolder_UntilItExpiresOrIsReleased()
    {
        var name = NewId("job_");
        var ttl = TimeSpan.FromSeconds(10);
        var racers = await System.Threading.Tasks.Task.WhenAll(Enumerable.Range(0, 8).Select(i => S.Leases.TryAcquireAsync(name, $"node{i}", 1000, ttl, Ct)));
        var holder = $"node{Array.IndexOf(racers, true)}";
        Assert.Single(racers, r => r);

        var other = holder == "node0" ? "node1" : "node0";
        Assert.True(await S.Leases.TryAcquireAsync(name, holder, 5000, ttl, Ct)); // renewed to 15000
        Assert.False(await S.Leases.TryAcquireAsync(name, other, 14_999, ttl, Ct));
        Assert.True(await S.Leases.TryAcquireAsync(name, other, 15_000, ttl, Ct)); // expired: taken over
        Assert.False(await S.Leases.TryAcquireAsync(name, holder, 15_001, ttl, Ct));
        await S.Leases.ReleaseAsync(name, holder, Ct); // not the holder: no effect
        Assert.False(await S.Leases.TryAcquireAsync(name, holder, 15_002, ttl, Ct));
        await S.Leases.ReleaseAsync(name, other, Ct);
        Assert.True(await S.Leases.TryAcquireAsync(name, holder, 15_003, ttl, Ct));
    }

    [Fact]
    public async Task AReopenedDatabase_KeepsEverything_AndRecoversAbandonedLeases()
    {
        var (account, key) = await AccountAsync(100);
        var queued = Task(account, key, now: 1);
        var running = Task(account, key, now: 2);
        await S.Tasks.CreateAsync(queued, Ct);
        await S.Tasks.CreateAsync(running, Ct);
        var c = (await S.Queue.ClaimAsync("w", 1000, Lease, 3, Ct))!;
        Assert.Equal(queued.TaskId, c.Task.TaskId);

        await CloseAsync(); // the process dies holding a lease
        S = await OpenAsync();

        Assert.Equal(80, await S.Accounts.GetBalanceAsync(account, Ct));
        var next = (await S.Queue.ClaimAsync("w2", 1001, Lease, 3, Ct))!;
        Assert.Equal(running.TaskId, next.Task.TaskId);
        var rescued = (await S.Queue.ClaimAsync("w2", 1000 + 30_000, Lease, 3, Ct))!;
        Assert.Equal((queued.TaskId, 2), (rescued.Task.TaskId, rescued.Attempt));
        Assert.True(await S.Queue.SucceedAsync(rescued.Task.TaskId, rescued.LeaseToken, queued.TaskId + "/video.mp4", null, 31_500, Ct));
        await AssertAuditAsync();
    }
}
