namespace Reelgate.Server.Options;

/// <summary><c>Reelgate:Mcp</c>: the MCP endpoint at <c>/mcp</c>.</summary>
public sealed class McpOptions
{
    /// <summary>
    /// Browser origins (<c>https://agents.example.com</c>) whose pages may call <c>/mcp</c>. A
    /// request with any other <c>Origin</c> header is refused with 403, as the MCP transport spec
    /// asks against DNS rebinding; requests without one (agents, CLIs, servers) are not affected.
    /// Empty (the default): no browser page may call it.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>
    /// An origin in the form browsers send it (lower-case scheme and host, default port left
    /// out), or null when the value is not an absolute http(s) origin (a path, query, user info or
    /// wildcard are not origins).
    /// </summary>
    public static string? NormalizeOrigin(string? value)
    {
        if (value is null || value.Contains('*', StringComparison.Ordinal)
            || !Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0 || uri.Host.Length == 0)
        {
            return null;
        }

        return uri.GetLeftPart(UriPartial.Authority);
    }
}
