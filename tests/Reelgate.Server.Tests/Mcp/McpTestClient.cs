using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests.Mcp;

/// <summary>The MCP SDK's own client over streamable HTTP, as an agent would connect.</summary>
public static class McpTestClient
{
    public static async Task<McpClient> ConnectAsync(ReelgateTestServer server, string key)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(server.BaseAddress, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + key },
        });
        return await McpClient.CreateAsync(transport, cancellationToken: TestContext.Current.CancellationToken);
    }

    /// <summary>A tool result's text content.</summary>
    public static string Text(CallToolResult r) => string.Concat(r.Content.OfType<TextContentBlock>().Select(t => t.Text));
}
