using ModelContextProtocol.Protocol;
using Reelgate.Server.Api;
using Reelgate.Server.Security;

namespace Reelgate.Server.Mcp;

/// <summary>
/// The built-in MCP server at <c>/mcp</c> (ModelContextProtocol.AspNetCore, streamable HTTP,
/// stateless so any node can answer any request). Every request carries the same
/// <c>Authorization: Bearer sk-...</c> API key as the REST API; without a valid key the answer is
/// the REST API's 401 envelope. The tools (<see cref="ReelgateMcpTools"/>) run the REST API's
/// own code paths, so billing, limits and validation are the same.
/// </summary>
public static class McpEndpoint
{
    internal const string KeyItem = "reelgate.mcp.key";

    public static IServiceCollection AddReelgateMcp(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<ReelgateMcpTools>();
        services.AddMcpServer(o => o.ServerInfo = new Implementation { Name = "reelgate", Version = typeof(McpEndpoint).Assembly.GetName().Version?.ToString() ?? "0" })
            .WithHttpTransport(o => o.Stateless = true)
            .WithListToolsHandler((request, ct) => ValueTask.FromResult(request.Services!.GetRequiredService<ReelgateMcpTools>().ListTools()))
            .WithCallToolHandler((request, ct) => request.Services!.GetRequiredService<ReelgateMcpTools>().CallAsync(request.Params!, ct));
        return services;
    }

    public static WebApplication MapReelgateMcp(this WebApplication app)
    {
        app.UseWhen(ctx => ctx.Request.Path.StartsWithSegments("/mcp"), branch => branch.Use(async (ctx, next) =>
        {
            var authenticator = ctx.RequestServices.GetRequiredService<ApiKeyAuthenticator>();
            var key = ctx.Request.Headers.Authorization.Count == 1
                ? await authenticator.AuthenticateAsync(ctx.Request.Headers.Authorization.ToString(), ctx.RequestAborted)
                : null;
            if (key is null)
            {
                ctx.Response.Headers.WWWAuthenticate = "Bearer";
                await ApiResults.WriteErrorAsync(ctx, 401, ApiResults.AuthenticationFailed);
                return;
            }

            ctx.Items[KeyItem] = key;
            await next(ctx);
        }));
        app.MapMcp("/mcp");
        return app;
    }
}
