using Microsoft.Data.Sqlite;

namespace Reelgate.Data.Sqlite;

/// <summary>One caller's write in a group-commit batch; completed only after the batch commits.</summary>
internal abstract class WriteItem(CancellationToken cancellation)
{
    public CancellationToken Cancellation { get; } = cancellation;

    public abstract Task RunAsync(SqliteConnection conn, SqliteTransaction tx);

    public abstract void Complete();

    public abstract void Fail(Exception e);
}

/// <summary>A write returning <typeparamref name="T"/>.</summary>
internal sealed class WriteItem<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellation) : WriteItem(cancellation)
{
    private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;
    private bool _failed;

    public Task<T> Task => _done.Task;

    public override async Task RunAsync(SqliteConnection conn, SqliteTransaction tx) => _result = await work(conn, tx);

    public override void Complete()
    {
        if (!_failed)
        {
            _done.TrySetResult(_result!);
        }
    }

    public override void Fail(Exception e)
    {
        _failed = true;
        _done.TrySetException(e);
    }
}
