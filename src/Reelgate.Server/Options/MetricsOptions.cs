namespace Reelgate.Server.Options;

/// <summary><c>Reelgate:Metrics</c>: the Prometheus scrape endpoint.</summary>
public sealed class MetricsOptions
{
    /// <summary>
    /// Serve <c>GET /metrics</c> (Prometheus text, no authentication). Default true; keep the path
    /// off the public internet (reverse proxy), see docs/operations.md.
    /// </summary>
    public bool Enabled { get; set; } = true;
}
