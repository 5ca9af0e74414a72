using System.Text.Json.Nodes;
using System.Text.Unicode;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Reelgate.Server.Api;
using Reelgate.Server.Options;
using Reelgate.Server.Security;

namespace Reelgate.Server.Mcp;

/// <summary>
/// The built-in MCP server at <c>/mcp</c> (ModelContextProtocol.AspNetCore, streamable HTTP,
/// stateless so any node can answer any request). Every request carries the same
/// <c>Authorization: Bearer sk-...</c> API key as the REST API; without a valid key the answer is
/// the REST API's 401 envelope. The tools (<see cref="ReelgateMcpTools"/>) run the REST API's
/// own code paths, so billing, limits and validation are the same. Before the SDK sees a request,
/// the branch refuses browser origins not in <c>Reelgate:Mcp:AllowedOrigins</c> (403) and bodies
/// over the REST limit or not UTF-8 (400), each with a JSON-RPC error.
/// </summary>
public static class McpEndpoint
{
    internal const string KeyItem = "reelgate.mcp.key";

    public static IServiceCollection AddReelgateMcp(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<UploadFileTool>();
        services.AddSingleton<ReelgateMcpTools>();
        services.AddMcpServer(o => o.ServerInfo = new Implementation { Name = "reelgate", Version = typeof(McpEndpoint).Assembly.GetName().Version?.ToString() ?? "0" })
            .WithHttpTransport(o => o.Stateless = true)
            .WithListToolsHandler((request, ct) => ValueTask.FromResult(request.Services!.GetRequiredService<ReelgateMcpTools>().ListTools()))
            .WithCallToolHandler((request, ct) => request.Services!.GetRequiredService<ReelgateMcpTools>().CallAsync(request.Params!, ct));
        return services;
    }

    public static WebApplication MapReelgateMcp(this WebApplication app)
    {
        var allowedOrigins = app.Services.GetRequiredService<IOptions<ReelgateOptions>>().Value.Mcp.AllowedOrigins
            .Select(o => McpOptions.NormalizeOrigin(o)!).ToHashSet(StringComparer.Ordinal);
        app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments("/mcp"), branch => branch.Use(async (ctx, next) =>
        {
            // A browser page from an origin not configured is refused before anything else, so it
            // learns nothing (not even whether its key is valid): the MCP transport spec's defence
            // against DNS rebinding. Clients that are not browsers send no Origin and pass.
            var origin = ctx.Request.Headers.Origin;
            if (origin.Count > 0 && (origin.Count > 1 || McpOptions.NormalizeOrigin(origin[0]) is not { } o || !allowedOrigins.Contains(o)))
            {
                await WriteJsonRpcErrorAsync(ctx, 403, McpErrorCode.InvalidRequest, "origin not allowed: list it in Reelgate:Mcp:AllowedOrigins");
                return;
            }

            if (origin.Count == 1 && AllowBrowser(ctx, origin[0]!))
            {
                return; // a CORS preflight, answered
            }

            var (key, refusal) = await ctx.RequestServices.GetRequiredService<ApiKeyAuthenticator>().CheckAsync(ctx);
            if (key is null)
            {
                ctx.Response.Headers.WWWAuthenticate = "Bearer";
                await ApiResults.WriteErrorAsync(ctx, 401, refusal);
                return;
            }

            if (HttpMethods.IsPost(ctx.Request.Method) && !await BufferBodyAsync(ctx))
            {
                return;
            }

            ctx.Items[KeyItem] = key;
            await next(ctx);
        }));
        app.MapMcp("/mcp");
        return app;
    }

    /// <summary>
    /// CORS for a listed origin: without it a browser could not read an answer, nor send the
    /// Authorization header at all (that needs a preflight). Returns true when the request was the
    /// preflight and has been answered (it carries no key, so it comes before authentication).
    /// </summary>
    private static bool AllowBrowser(HttpContext ctx, string origin)
    {
        var headers = ctx.Response.Headers;
        headers.AccessControlAllowOrigin = origin;
        headers.Vary = "Origin";
        headers.AccessControlExposeHeaders = "Mcp-Session-Id, WWW-Authenticate";
        if (!HttpMethods.IsOptions(ctx.Request.Method) || ctx.Request.Headers.AccessControlRequestMethod.Count == 0)
        {
            return false;
        }

        headers.AccessControlAllowMethods = "GET, POST, DELETE";
        headers.AccessControlAllowHeaders = "Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID";
        headers.AccessControlMaxAge = "600";
        ctx.Response.StatusCode = 204;
        return true;
    }

    /// <summary>
    /// Reads the body under the REST limit (1 MiB, by Content-Length or as a chunked body grows)
    /// and checks it is UTF-8, then hands the SDK a MemoryStream of the same bytes. The SDK would
    /// otherwise read any size and decode bad bytes as U+FFFD into a task's param. A refusal is
    /// HTTP 400 with a JSON-RPC error (id null: the request was never parsed).
    /// </summary>
    private static async Task<bool> BufferBodyAsync(HttpContext ctx)
    {
        var body = await RequestBodyReader.ReadBytesAsync(ctx.Request, ctx.RequestAborted);
        if (body is null)
        {
            await WriteJsonRpcErrorAsync(ctx, 400, McpErrorCode.InvalidRequest, $"invalid request: the body is larger than {RequestBodyReader.MaxBytes} bytes");
            return false;
        }

        if (!Utf8.IsValid(body))
        {
            await WriteJsonRpcErrorAsync(ctx, 400, McpErrorCode.ParseError, "parse error: the body is not valid UTF-8");
            return false;
        }

        ctx.Request.Body = new MemoryStream(body, writable: false);
        ctx.Request.ContentLength = body.Length;
        return true;
    }

    private static async Task WriteJsonRpcErrorAsync(HttpContext ctx, int status, McpErrorCode code, string message)
    {
        var error = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = null,
            ["error"] = new JsonObject { ["code"] = (int)code, ["message"] = message },
        };
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(error.ToJsonString(), ctx.RequestAborted);
    }
}
