using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace Reelgate.Server.Mcp;

/// <summary>How every MCP tool answers: a success as JSON text plus structuredContent, an error as REST's code and msg.</summary>
internal static class ToolResults
{
    /// <summary>A success: the JSON object as text (for clients that read only text) and as structuredContent.</summary>
    public static CallToolResult Ok(JsonObject data) => new()
    {
        Content = [new TextContentBlock { Text = data.ToJsonString() }],
        StructuredContent = ToElement(data),
    };

    /// <summary>A tool error whose text starts with the REST code and msg, e.g. <c>422 file is larger than 50 MiB</c>.</summary>
    public static CallToolResult Error(int code, string msg) => new()
    {
        Content = [new TextContentBlock { Text = $"{code} {msg}" }],
        IsError = true,
    };

    public static JsonElement ToElement(JsonObject o) => JsonDocument.Parse(o.ToJsonString()).RootElement.Clone();
}
