namespace Reelgate.Core.Engines;

/// <summary>An engine that runs tasks on an upstream provider, which can be asked to drop one.</summary>
public interface IUpstreamEngine : IVideoEngine
{
    /// <summary>Asks the upstream to cancel its task (best effort: a running upstream task may not be cancellable).</summary>
    Task CancelUpstreamAsync(string upstreamId, CancellationToken ct);
}
