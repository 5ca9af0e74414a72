using Reelgate.Core.Engines;

namespace Reelgate.Server.Workers;

/// <summary>One attempt's <see cref="IUpstreamJournal"/>: writes the upstream id through to the attempt row at once.</summary>
public sealed class AttemptJournal(IEngineAttempts attempts, long attemptId, string? previousUpstreamId, long? unconfirmedCreateSince) : IUpstreamJournal
{
    private readonly string? _previous = previousUpstreamId;
    private string? _usage;

    public long Id => attemptId;

    public string? PreviousUpstreamId => _previous;

    public long? UnconfirmedCreateSince => unconfirmedCreateSince;

    /// <summary>The upstream id of this attempt, once recorded (or carried over from the interrupted one).</summary>
    public string? UpstreamId { get; private set; } = previousUpstreamId;

    public string? Usage => Volatile.Read(ref _usage);

    public async Task RecordUpstreamIdAsync(string upstreamId, CancellationToken ct)
    {
        if (UpstreamId == upstreamId)
        {
            return;
        }

        // Not cancellable: once the upstream holds a task, its id must reach the journal.
        await attempts.SetUpstreamIdAsync(attemptId, upstreamId, CancellationToken.None);
        UpstreamId = upstreamId;
    }

    public void RecordUsage(string usageJson) => Volatile.Write(ref _usage, usageJson);
}
