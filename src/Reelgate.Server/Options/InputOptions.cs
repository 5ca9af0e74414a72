namespace Reelgate.Server.Options;

/// <summary><c>Reelgate:Inputs</c>: how a worker fetches a task's media inputs (image, video and audio URLs).</summary>
public sealed class InputOptions
{
    /// <summary>
    /// Host names, IP addresses or CIDR ranges that may be fetched although they are loopback,
    /// private, link-local or metadata addresses (an internal media server, tests). Empty (the
    /// default): inputs are fetched from public addresses only.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>One input's whole fetch, redirects and body included.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
