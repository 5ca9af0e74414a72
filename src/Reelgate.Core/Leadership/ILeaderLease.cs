namespace Reelgate.Core.Leadership;

/// <summary>
/// Named database leases for work that must run on one node at a time (periodic sweeps): a node
/// holds a name until the expiry it last set, renews it while alive, and another node takes it
/// over only after it has expired. Every call takes "now" so tests control time.
/// </summary>
public interface ILeaderLease
{
    /// <summary>
    /// Takes or renews <paramref name="name"/> for <paramref name="holder"/> until
    /// <paramref name="now"/> + <paramref name="ttl"/>; false when another holder's lease is
    /// still valid.
    /// </summary>
    Task<bool> TryAcquireAsync(string name, string holder, long now, TimeSpan ttl, CancellationToken ct);

    /// <summary>Gives the lease up early (a clean shutdown) so another node need not wait for it to expire.</summary>
    Task ReleaseAsync(string name, string holder, CancellationToken ct);
}
