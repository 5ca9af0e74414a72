namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// What the emulator has answered since it started (or since the last reset): live counters,
/// safe to read from any thread while requests run.
/// </summary>
public sealed class ArkStats
{
    private long _createsAccepted;
    private long _createsRefused;
    private long _polls;
    private long _lists;
    private long _deletes;
    private long _downloads;
    private long _callbacksDelivered;
    private long _callbacksFailed;

    /// <summary>Creates that made a task (a create whose connection was then dropped included).</summary>
    public long CreatesAccepted => Interlocked.Read(ref _createsAccepted);

    /// <summary>Creates answered with an error (401, 400, 404, 429, 500).</summary>
    public long CreatesRefused => Interlocked.Read(ref _createsRefused);

    /// <summary>Authenticated <c>GET /api/v3/contents/generations/tasks/{id}</c> requests, 404s included.</summary>
    public long Polls => Interlocked.Read(ref _polls);

    /// <summary>Authenticated list requests.</summary>
    public long Lists => Interlocked.Read(ref _lists);

    /// <summary>Authenticated DELETE requests, refused ones included.</summary>
    public long Deletes => Interlocked.Read(ref _deletes);

    /// <summary>Videos served (200 or 206); 403 and 404 answers are not counted.</summary>
    public long Downloads => Interlocked.Read(ref _downloads);

    /// <summary>Callbacks the receiver answered with 2xx.</summary>
    public long CallbacksDelivered => Interlocked.Read(ref _callbacksDelivered);

    /// <summary>Callbacks given up after every attempt failed.</summary>
    public long CallbacksFailed => Interlocked.Read(ref _callbacksFailed);

    internal void CreateAccepted() => Interlocked.Increment(ref _createsAccepted);

    internal void CreateRefused() => Interlocked.Increment(ref _createsRefused);

    internal void Poll() => Interlocked.Increment(ref _polls);

    internal void List() => Interlocked.Increment(ref _lists);

    internal void Delete() => Interlocked.Increment(ref _deletes);

    internal void Download() => Interlocked.Increment(ref _downloads);

    internal void CallbackDelivered() => Interlocked.Increment(ref _callbacksDelivered);

    internal void CallbackFailed() => Interlocked.Increment(ref _callbacksFailed);

    internal void Reset()
    {
        Interlocked.Exchange(ref _createsAccepted, 0);
        Interlocked.Exchange(ref _createsRefused, 0);
        Interlocked.Exchange(ref _polls, 0);
        Interlocked.Exchange(ref _lists, 0);
        Interlocked.Exchange(ref _deletes, 0);
        Interlocked.Exchange(ref _downloads, 0);
        Interlocked.Exchange(ref _callbacksDelivered, 0);
        Interlocked.Exchange(ref _callbacksFailed, 0);
    }
}
