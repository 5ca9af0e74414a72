using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Reelgate.Core.Accounts;
using Reelgate.Core.Tasks;
using Reelgate.Data.Tests.Conformance;
using Reelgate.Testing;

namespace Reelgate.Data.Tests;

/// <summary>
/// PostgreSQL's group commit of createTask (PgCreateBatches and the create_tasks function). The
/// creates are made to queue into one batch deterministically: a second connection holds the key's
/// row lock, so the first create's batch waits in the database while the others arrive; the lock
/// is then released and the rest go together. Each test checks every member's answer, the balance,
/// the ledger rows, and that a batch bigger than one was really committed.
/// </summary>
public sealed class PostgresCreateBatchTests(PostgresServer server) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly List<int> _batchSizes = [];
    private readonly MeterListener _listener = new();
    private string _connection = "";
    private Backend _backend = null!;
    private StoreSet _s = null!;

    public async ValueTask InitializeAsync()
    {
        _connection = await server.CreateDatabaseAsync();
        _backend = Backend.Postgres(_connection);
        _s = await _backend.OpenAsync(Ct);

        // The batch sizes this test's store records on reelgate.create.batch_size (its own meter:
        // other test classes' stores, running in parallel, record on theirs).
        var meter = _backend.Services.GetRequiredService<IMeterFactory>().Create("Reelgate");
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "reelgate.create.batch_size")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, size, _, _) =>
        {
            lock (_batchSizes)
            {
                _batchSizes.Add(size);
            }
        });
        _listener.Start();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await _backend.DisposeAsync();
    }

    private int[] BatchSizes()
    {
        lock (_batchSizes)
        {
            return [.. _batchSizes];
        }
    }

    [Fact]
    public async Task OneHotAccount_IsChargedTheBatchOnce_NeverBelowZero_EachTaskWithItsLedgerRow()
    {
        var (account, key) = await AccountAsync(95); // room for 9 tasks of 10

        var outcomes = await QueuedBehindKeyLockAsync(key, Enumerable.Range(0, 20).Select(_ => Task(account, key)).ToList());

        Assert.Equal(9, outcomes.Count(o => o.Status == CreateTaskStatus.Created));
        Assert.Equal(11, outcomes.Count(o => o.Status == CreateTaskStatus.InsufficientCredits));
        Assert.All(outcomes.Take(9), o => Assert.Equal(CreateTaskStatus.Created, o.Status)); // decided in arrival order
        Assert.Equal(5, await _s.Accounts.GetBalanceAsync(account, Ct));
        var charges = (await _s.Accounts.LedgerAsync(account, null, 100, Ct)).Where(e => e.Kind == "charge" && e.Amount != 0).ToList(); // not the free first create
        Assert.Equal(9, charges.Count);
        Assert.All(charges, c => Assert.Equal(-10, c.Amount));
        Assert.Equal(9, charges.Select(c => c.TaskId).Distinct().Count());
        AssertBatched();
        await AssertAuditAsync();
    }

    [Fact]
    public async Task EveryCommittedBatch_IsRecordedOnTheBatchSizeHistogram()
    {
        var (account, key) = await AccountAsync(1_000);

        await QueuedBehindKeyLockAsync(key, Enumerable.Range(0, 10).Select(_ => Task(account, key)).ToList());

        var sizes = BatchSizes();
        Assert.Equal(11, sizes.Sum()); // the blocked first create and the ten behind it
        Assert.Contains(sizes, s => s > 1);
    }

    [Fact]
    public async Task RequestIds_AndTheActiveTaskLimit_SeeEarlierMembersOfTheSameBatch()
    {
        var (account, key) = await AccountAsync(10_000);
        var first = Task(account, key, requestId: "same", hash: "h");
        var creates = new List<NewTask>
        {
            first,
            Task(account, key, requestId: "same", hash: "h"),     // a retry: the first's task
            Task(account, key, requestId: "same", hash: "other"), // the id reused for another body
            Task(account, key, limit: 3),
            Task(account, key, limit: 3),                         // the key now has 3 waiting
            Task(account, key, requestId: "another", hash: "h"),  // no limit on this one (another tier)
            Task(account, key, limit: 4),                         // 4 waiting: refused
        };

        var outcomes = await QueuedBehindKeyLockAsync(key, creates);

        CreateTaskOutcome[] expected =
            [
                new(CreateTaskStatus.Created, first.TaskId), new(CreateTaskStatus.Replayed, first.TaskId), new(CreateTaskStatus.RequestConflict, first.TaskId),
                new(CreateTaskStatus.Created, creates[3].TaskId), new(CreateTaskStatus.ActiveTaskLimit, null),
                new(CreateTaskStatus.Created, creates[5].TaskId), new(CreateTaskStatus.ActiveTaskLimit, null),
            ];
        Assert.Equal(expected, outcomes);
        Assert.Equal(10_000 - 30, await _s.Accounts.GetBalanceAsync(account, Ct));
        AssertBatched();
        await AssertAuditAsync();
    }

    [Fact]
    public async Task ABatchTheDatabaseRefuses_AnswersEveryMember_OnlyTheBadOneFails()
    {
        var (account, key) = await AccountAsync(1_000);
        var creates = Enumerable.Range(0, 12).Select(_ => Task(account, key)).ToList();
        creates[6] = creates[6] with { TaskId = creates[5].TaskId }; // a duplicate primary key: the statement fails

        var answers = await QueuedBehindKeyLockAsync(key, creates, throwing: true);

        var failed = Assert.Single(answers, a => a.Error is not null);
        Assert.Equal(6, answers.IndexOf(failed));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, Assert.IsType<PostgresException>(failed.Error).SqlState);
        Assert.All(answers.Where(a => a.Error is null), a => Assert.Equal(CreateTaskStatus.Created, a.Outcome.Status));
        Assert.Equal(1_000 - (11 * 10), await _s.Accounts.GetBalanceAsync(account, Ct));
        foreach (var (create, i) in creates.Select((c, i) => (c, i)).Where(x => x.i != 6))
        {
            Assert.NotNull(await _s.Tasks.GetAsync(create.TaskId, Ct));
        }

        await AssertAuditAsync();
    }

    private void AssertBatched() =>
        Assert.True(BatchSizes().Any(s => s > 1), $"no batch of more than one create was committed: {string.Join(',', BatchSizes())}");

    private async Task<List<CreateTaskOutcome>> QueuedBehindKeyLockAsync(string key, List<NewTask> creates) =>
        [.. (await QueuedBehindKeyLockAsync(key, creates, throwing: false)).Select(a => a.Outcome)];

    /// <summary>
    /// Sends a first create while another connection holds the key's row lock (its batch waits in
    /// the database), then the creates in order, then releases the lock.
    /// </summary>
    private async Task<List<(CreateTaskOutcome Outcome, Exception? Error)>> QueuedBehindKeyLockAsync(string key, List<NewTask> creates, bool throwing)
    {
        await using var conn = new NpgsqlConnection(_connection);
        await conn.OpenAsync(Ct);
        await using var tx = await conn.BeginTransactionAsync(Ct);
        await using (var lockKey = new NpgsqlCommand("SELECT 1 FROM api_keys WHERE id = $1 FOR UPDATE", conn, tx) { Parameters = { new() { Value = key } } })
        {
            await lockKey.ExecuteNonQueryAsync(Ct);
        }

        var account = creates[0].AccountId;
        var blocked = _s.Tasks.CreateAsync(Task(account, key, cost: 0), Ct);
        await WaitUntilWaitingOnALockAsync();
        var answers = creates.Select(c => _s.Tasks.CreateAsync(c, Ct)).ToList();
        await tx.CommitAsync(Ct);

        Assert.Equal(CreateTaskStatus.Created, (await blocked).Status);
        var results = new List<(CreateTaskOutcome, Exception?)>();
        foreach (var answer in answers)
        {
            try
            {
                results.Add((await answer, null));
            }
            catch (Exception e) when (throwing)
            {
                results.Add((default, e));
            }
        }

        return results;
    }

    private async Task WaitUntilWaitingOnALockAsync()
    {
        await using var conn = new NpgsqlConnection(_connection);
        await conn.OpenAsync(Ct);
        for (var i = 0; i < 200; i++)
        {
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%create_tasks%'", conn);
            if ((long)(await cmd.ExecuteScalarAsync(Ct))! > 0)
            {
                return;
            }

            await System.Threading.Tasks.Task.Delay(10, Ct);
        }

        throw new TimeoutException("the first create never waited on the key's lock");
    }

    private async Task<(string Account, string Key)> AccountAsync(long credits)
    {
        var account = "acc_" + Guid.NewGuid().ToString("N");
        var key = "key_" + Guid.NewGuid().ToString("N");
        await _s.Accounts.CreateAccountAsync(account, "batch", credits, 1, Ct);
        Assert.True(await _s.Accounts.CreateKeyAsync(key, account, "ci", "basic", ("sk-" + Guid.NewGuid().ToString("N"))[..12], [1, 2, 3], Reelgate.Core.Accounts.KeyLimits.None, 1, Ct));
        return (account, key);
    }

    private static NewTask Task(string account, string key, long cost = 10, string? requestId = null, string? hash = null, int? limit = null) =>
        TestTasks.New("task_" + Guid.NewGuid().ToString("N"), account, key, cost, requestId: requestId, hash: hash, limit: limit);

    private async Task AssertAuditAsync() =>
        Assert.All(await _s.Accounts.AuditAsync(Ct), e => Assert.True(e.Ok, $"{e.AccountId}: balance {e.Balance} != ledger {e.LedgerSum}"));
}
