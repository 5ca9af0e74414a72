namespace Reelgate.Server.Workers;

/// <summary>
/// In-process wake-up for idle workers: createTask pulses it after its commit (and the cluster
/// listener on a PostgreSQL NOTIFY), so a waiting task is picked up at once instead of at the
/// next poll. Spurious wake-ups are harmless (the claim finds nothing); the count is capped so a
/// burst does not leave a backlog of them, and the dispatcher drops the pending ones before each
/// claim, which answers them all.
/// </summary>
public sealed class QueueSignal
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private const int MaxPending = 64;

    public void Pulse()
    {
        if (_signal.CurrentCount < MaxPending)
        {
            _signal.Release();
        }
    }

    /// <summary>
    /// Forgets the pulses so far: called just before a claim, whose statement sees every commit
    /// that was pulsed before it, so none of them needs a claim of its own.
    /// </summary>
    public void Drain()
    {
        while (_signal.Wait(0, CancellationToken.None))
        {
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        if (_signal.Wait(0, CancellationToken.None))
        {
            return Task.FromResult(true);
        }

        return WaitSlowAsync(timeout, time, ct);
    }

    private async Task<bool> WaitSlowAsync(TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var wait = _signal.WaitAsync(cts.Token);
        var delay = Task.Delay(timeout, time, cts.Token);
        var first = await Task.WhenAny(wait, delay);
        await cts.CancelAsync();
        try
        {
            await wait;
            return true;
        }
        catch (OperationCanceledException)
        {
            ct.ThrowIfCancellationRequested();
            return first == wait && wait.IsCompletedSuccessfully;
        }
    }
}
