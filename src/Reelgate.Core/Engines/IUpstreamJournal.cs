namespace Reelgate.Core.Engines;

/// <summary>
/// What an engine that calls an upstream provider gets with its job: the upstream task an
/// earlier, interrupted attempt of the same task on the same engine left behind (resume it,
/// never create a second one), and a way to record the new upstream id durably at once.
/// </summary>
public interface IUpstreamJournal
{
    /// <summary>The upstream id an interrupted earlier attempt recorded, if any.</summary>
    string? PreviousUpstreamId { get; }

    /// <summary>
    /// When an interrupted earlier attempt began creating an upstream task but recorded no id
    /// (a crash between the upstream's answer and the record): when it began (Unix ms). The
    /// engine must look for that upstream task before creating one.
    /// </summary>
    long? UnconfirmedCreateSince { get; }

    /// <summary>Records the upstream task id; returns only once it is durable.</summary>
    Task RecordUpstreamIdAsync(string upstreamId, CancellationToken ct);

    /// <summary>The upstream's usage report (JSON), kept with the attempt for margins.</summary>
    void RecordUsage(string usageJson);
}
