using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Npgsql;
using NpgsqlTypes;
using Reelgate.Core.Accounts;
using Reelgate.Core.Catalog;
using Reelgate.Core.Tasks;

namespace Reelgate.Data.Postgres;

/// <summary>
/// Group commit of createTask on PostgreSQL, per node. Creates that arrive while a batch is in
/// flight wait and go together in the next one: one statement (<c>create_tasks</c>, migration
/// 0009, autocommit), so one round trip and one commit for the whole batch, and each create is
/// answered only after the commit that holds it. The function applies
/// <see cref="CreateTransaction"/>'s rule to every member in arrival order, so a member's answer
/// is what it would have been alone at that point of the queue; a hot account is charged the
/// batch's sum in one UPDATE, each task with its own ledger row.
/// <para>
/// A batch the server refuses as a whole (an error raised by a statement or at commit: nothing
/// of it was written) is run again one member at a time, so a member is never failed or lost
/// because of another; the member that caused it gets its own error. A broken connection is
/// different: the commit may or may not have happened, so retrying a member without a request
/// id could charge it twice. Every member gets that error (as a single create did before), and
/// a client retry with the same <c>X-Request-ID</c> finds its task.
/// </para>
/// </summary>
internal sealed class PgCreateBatches
{
    /// <summary>At most this many creates per statement (arrays of this length per column).</summary>
    internal const int MaxBatch = 256;

    /// <summary>
    /// Batches in flight at once per node: one, as the SQLite writer. Two (the next batch waiting
    /// in the database on the hot key's row lock while one commits) measured no better on 2 cores
    /// (2,966-3,010 against 2,775-3,638 creates/s, interleaved runs), with twice the batches.
    /// </summary>
    internal const int MaxDrains = 1;

    private const string Sql = "SELECT ord, status, task_id FROM create_tasks($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";

    private readonly PostgresDatabase _db;
    private readonly Histogram<int>? _batchSize;
    private readonly ConcurrentQueue<Pending> _pending = new();
    private int _draining;

    public PgCreateBatches(PostgresDatabase db, IMeterFactory? meters)
    {
        _db = db;
        _batchSize = meters?.Create("Reelgate").CreateHistogram<int>("reelgate.create.batch_size", "{task}",
            "createTask group commit on PostgreSQL: creates per statement and commit", null,
            new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
    }

    public Task<CreateTaskOutcome> CreateAsync(NewTask task)
    {
        var pending = new Pending(task);
        _pending.Enqueue(pending);
        TryStartDrain();
        return pending.Answer.Task;
    }

    /// <summary>Starts a drain unless <see cref="MaxDrains"/> already run.</summary>
    private void TryStartDrain()
    {
        var running = Volatile.Read(ref _draining);
        while (running < MaxDrains)
        {
            var seen = Interlocked.CompareExchange(ref _draining, running + 1, running);
            if (seen == running)
            {
                _ = Task.Run(DrainAsync);
                return;
            }

            running = seen;
        }
    }

    /// <summary>Runs batches until the queue is empty.</summary>
    private async Task DrainAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (true)
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _pending.TryDequeue(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 0)
            {
                Interlocked.Decrement(ref _draining);

                // A create enqueued after the last TryDequeue but before the count dropped saw
                // every drain running and started none: start one for it.
                if (!_pending.IsEmpty)
                {
                    TryStartDrain();
                }

                return;
            }

            await RunAsync(batch);
        }
    }

    private async Task RunAsync(List<Pending> batch)
    {
        try
        {
            var outcomes = await ExecuteAsync(batch);
            _batchSize?.Record(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Answer.TrySetResult(outcomes[i]);
            }
        }
        catch (PostgresException) when (batch.Count > 1)
        {
            // Refused as a whole, so nothing was written: each member alone gets its own answer.
            foreach (var member in batch)
            {
                await RunAsync([member]);
            }
        }
        catch (Exception e)
        {
            foreach (var member in batch)
            {
                member.Answer.TrySetException(e);
            }
        }
    }

    private async Task<CreateTaskOutcome[]> ExecuteAsync(List<Pending> batch)
    {
        var n = batch.Count;
        var ids = new string[n];
        var accounts = new string[n];
        var keys = new string[n];
        var models = new string[n];
        var parameters = new string[n];
        var inputs = new string[n];
        var costs = new long[n];
        var seeds = new long[n];
        var callbacks = new string?[n];
        var bases = new string?[n];
        var requestIds = new string?[n];
        var hashes = new string?[n];
        var nows = new long[n];
        var specs = new string?[n];
        var limits = new int?[n];
        var dayFrom = new long[n];
        var monthFrom = new long[n];
        for (var i = 0; i < n; i++)
        {
            var t = batch[i].Task;
            (ids[i], accounts[i], keys[i], models[i], parameters[i], inputs[i]) = (t.TaskId, t.AccountId, t.KeyId, t.Model, t.Param, t.Input);
            (costs[i], seeds[i], callbacks[i], bases[i], requestIds[i], hashes[i]) = (t.Cost, t.Seed, t.CallBackUrl, t.BaseUrl, t.RequestId, t.RequestHash);
            (nows[i], specs[i], limits[i]) = (t.Now, t.Spec is null ? null : GenerationSpecJson.Serialize(t.Spec), t.ActiveTaskLimit);
            (dayFrom[i], monthFrom[i]) = (KeyLimits.PeriodStart(KeyCreditPeriod.Day, t.Now), KeyLimits.PeriodStart(KeyCreditPeriod.Month, t.Now));
        }

        await using var conn = await _db.Source.OpenConnectionAsync(CancellationToken.None);
        await using var cmd = new NpgsqlCommand(Sql, conn)
        {
            Parameters =
            {
                TextArray(ids), TextArray(accounts), TextArray(keys), TextArray(models), TextArray(parameters), TextArray(inputs),
                new() { Value = costs, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                new() { Value = seeds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                TextArray(callbacks), TextArray(bases), TextArray(requestIds), TextArray(hashes),
                new() { Value = nows, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                TextArray(specs),
                new() { Value = limits, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer },
                new() { Value = dayFrom, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                new() { Value = monthFrom, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint },
                new() { Value = PgTaskRows.QueueChannel, NpgsqlDbType = NpgsqlDbType.Text },
            },
        };
        var outcomes = new CreateTaskOutcome[n];
        var answered = 0;
        await using (var r = await cmd.ExecuteReaderAsync(CancellationToken.None))
        {
            while (await r.ReadAsync(CancellationToken.None))
            {
                var i = r.GetInt32(0) - 1;
                var taskId = r.IsDBNull(2) ? null : r.GetString(2);
                outcomes[i] = new CreateTaskOutcome(Status(r.GetString(1)), taskId);
                answered++;
            }
        }

        return answered == n ? outcomes : throw new InvalidOperationException($"create_tasks answered {answered} of {n} creates");
    }

    private static CreateTaskStatus Status(string status) => status switch
    {
        "created" => CreateTaskStatus.Created,
        "replayed" => CreateTaskStatus.Replayed,
        "conflict" => CreateTaskStatus.RequestConflict,
        "active_limit" => CreateTaskStatus.ActiveTaskLimit,
        "key_limit" => CreateTaskStatus.KeyCreditLimit,
        "insufficient" => CreateTaskStatus.InsufficientCredits,
        _ => throw new InvalidOperationException($"create_tasks answered an unknown status '{status}'"),
    };

    private static NpgsqlParameter TextArray(string?[] values) => new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    private sealed class Pending(NewTask task)
    {
        public NewTask Task { get; } = task;

        public TaskCompletionSource<CreateTaskOutcome> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
