using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests.Mcp;

/// <summary>
/// What /mcp refuses before the MCP SDK reads a byte: bodies over the REST limit (1 MiB, by
/// Content-Length or chunked), invalid UTF-8, and browser origins not configured. Each refusal is
/// HTTP 400/403 with a JSON-RPC error and creates and charges nothing.
/// </summary>
public sealed class McpTransportTests
{
    private const int MaxBytes = 1 << 20;

    [Fact]
    public async Task OversizedBody_Is400JsonRpcError_AndCreatesNothing()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var client = server.NewClient(key);
        var body = RawMcp.ToolCall("generate_video", $$"""{"prompt":"big","padding":"{{new string('a', 3 * MaxBytes)}}"}""");

        var (status, message) = await RawMcp.PostAsync(client, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertJsonRpcError(message, -32600);
        await AssertNothingCreatedAsync(client, 100_000);
    }

    [Fact]
    public async Task ChunkedBody_Is400_WhenItGrowsPastTheLimit()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var client = server.NewClient(key);
        var body = RawMcp.ToolCall("generate_video", $$"""{"prompt":"big","padding":"{{new string('a', MaxBytes)}}"}""");

        var (status, message) = await RawMcp.PostAsync(client, new ChunkedContent(body));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertJsonRpcError(message, -32600);
        await AssertNothingCreatedAsync(client, 100_000);
    }

    [Fact]
    public async Task BodyOfExactlyTheLimit_ReachesTheTool_AndOneByteMoreDoesNot()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var client = server.NewClient(key);
        var empty = RawMcp.ToolCall("generate_video", """{"prompt":""}""").Length;

        // A prompt that fills the body to exactly 1 MiB: read whole and handed to the tool, which
        // refuses it by the catalog's prompt rule (a tool error, not a transport one).
        var (status, message) = await RawMcp.PostAsync(client, RawMcp.ToolCall("generate_video", $$"""{"prompt":"{{new string('p', MaxBytes - empty)}}"}"""));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True((bool)message!["result"]!["isError"]!);
        Assert.StartsWith("422 validation error: input.prompt", (string?)message["result"]!["content"]![0]!["text"], StringComparison.Ordinal);

        (status, message) = await RawMcp.PostAsync(client, new ChunkedContent(RawMcp.ToolCall("generate_video", $$"""{"prompt":"{{new string('p', MaxBytes - empty + 1)}}"}""")));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertJsonRpcError(message, -32600);
        await AssertNothingCreatedAsync(client, 100_000);
    }

    [Fact]
    public async Task InvalidUtf8_Is400JsonRpcParseError_AndCreatesNothing()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var client = server.NewClient(key);
        var body = RawMcp.ToolCall("generate_video", """{"prompt":"bad \u0001 bytes"}""");
        var at = Array.IndexOf(body, (byte)'\\');
        byte[] broken = [.. body[..at], 0xFF, 0xFE, .. body[(at + 6)..]]; // \u0001 replaced by two bytes that are never UTF-8

        var (status, message) = await RawMcp.PostAsync(client, broken);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertJsonRpcError(message, -32700);
        await AssertNothingCreatedAsync(client, 100_000);
    }

    [Fact]
    public async Task BrowserOrigin_Is403_UnlessConfigured_AndNoOriginPasses()
    {
        await using var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?> { ["Reelgate:Mcp:AllowedOrigins:0"] = "https://agents.example.com" },
            services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var client = server.NewClient(key);
        var call = RawMcp.ToolCall("generate_video", """{"prompt":"from a page"}""");

        foreach (var origin in new[] { "https://evil.example", "http://agents.example.com", "https://agents.example.com:8443", "null" })
        {
            var (status, message) = await RawMcp.PostAsync(client, call, origin);
            Assert.True(status == HttpStatusCode.Forbidden, origin);
            AssertJsonRpcError(message, -32600);
        }

        await AssertNothingCreatedAsync(client, 100_000);
        foreach (var origin in new[] { "https://agents.example.com", "HTTPS://Agents.Example.COM:443", null })
        {
            var (status, message) = await RawMcp.PostAsync(client, RawMcp.ToolCall("get_credits", "{}"), origin);
            Assert.True(status == HttpStatusCode.OK, origin);
            Assert.Equal(100_000, (long)message!["result"]!["structuredContent"]!["credits"]!);
        }
    }

    [Fact]
    public async Task ListedOrigin_GetsCorsAnswers_SoAPageCanSendItsKey()
    {
        await using var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?> { ["Reelgate:Mcp:AllowedOrigins:0"] = "https://agents.example.com" },
            services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var anonymous = server.NewClient();
        using var client = server.NewClient(key);
        HttpRequestMessage Preflight(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, "/mcp");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "authorization, content-type");
            return request;
        }

        using var allowed = await anonymous.SendAsync(Preflight("https://agents.example.com"), TestContext.Current.CancellationToken);
        using var refused = await anonymous.SendAsync(Preflight("https://evil.example"), TestContext.Current.CancellationToken);
        using var call = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new ByteArrayContent(RawMcp.ToolCall("get_credits", "{}")) };
        call.Content.Headers.ContentType = new("application/json");
        call.Headers.Add("Accept", "application/json, text/event-stream");
        call.Headers.Add("Origin", "https://agents.example.com");
        using var answer = await client.SendAsync(call, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal("https://agents.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Authorization", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("https://agents.example.com", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task AnyBrowserOrigin_Is403_ByDefault()
    {
        await using var server = await ReelgateTestServer.StartAsync(services: s => ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var client = server.NewClient(key);

        var (status, message) = await RawMcp.PostAsync(client, RawMcp.ToolCall("get_credits", "{}"), server.BaseAddress.GetLeftPart(UriPartial.Authority));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        AssertJsonRpcError(message, -32600);
    }

    [Theory]
    [InlineData("agents.example.com")]
    [InlineData("ftp://agents.example.com")]
    [InlineData("https://agents.example.com/mcp")]
    [InlineData("https://agents.example.com?x=1")]
    [InlineData("*")]
    public void AllowedOrigins_NamesTheKey_WhenAnEntryIsNotAnOrigin(string value)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Reelgate:Mcp:AllowedOrigins:0"] = value }).Build();

        var problems = ReelgateHost.ValidateConfiguration(config);

        Assert.Contains(problems, p => p.Contains("Reelgate:Mcp:AllowedOrigins", StringComparison.Ordinal) && p.Contains(value, StringComparison.Ordinal));
    }

    [Fact]
    public void AllowedOrigins_AcceptsHttpAndHttpsOrigins()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Reelgate:Mcp:AllowedOrigins:0"] = "https://agents.example.com",
            ["Reelgate:Mcp:AllowedOrigins:1"] = "http://127.0.0.1:5173",
            ["Reelgate:Mcp:AllowedOrigins:2"] = "https://agents.example.com/",
        }).Build();

        Assert.Empty(ReelgateHost.ValidateConfiguration(config));
    }

    private static void AssertJsonRpcError(JsonObject? message, int code)
    {
        Assert.NotNull(message);
        Assert.Equal("2.0", (string?)message["jsonrpc"]);
        Assert.True(message.ContainsKey("id"));
        Assert.Null(message["id"]);
        Assert.Equal(code, (int)message["error"]!["code"]!);
        Assert.False(string.IsNullOrEmpty((string?)message["error"]!["message"]));
    }

    private static async Task AssertNothingCreatedAsync(HttpClient client, long credits)
    {
        var (_, list, _) = await client.GetJsonAsync("/api/v1/jobs/list");
        Assert.Empty(list["data"]!["items"]!.AsArray());
        Assert.Equal(credits, await client.CreditsAsync());
    }

    /// <summary>A body without Content-Length: HttpClient sends it chunked.</summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
