using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Reelgate.Server.Tests.Infrastructure;

/// <summary>What the proxy does to one request.</summary>
public enum Fault
{
    /// <summary>Forward as is.</summary>
    Pass,

    /// <summary>Answer 429 with Retry-After: 1 without forwarding.</summary>
    TooManyRequests,

    /// <summary>Drop the connection before forwarding.</summary>
    ResetBefore,

    /// <summary>Forward (the server commits), then answer 502 instead of the real answer.</summary>
    BadGatewayAfter,

    /// <summary>Forward (the server commits), then drop the connection.</summary>
    ResetAfter,

    /// <summary>Forward, send half of the body, then drop the connection.</summary>
    TruncateBody,

    /// <summary>Answer 404 with an HTML page, as a platform without this route would.</summary>
    NotFoundHtml,
}

/// <summary>
/// A deliberately unreliable HTTP proxy on 127.0.0.1 in front of a live server: faults are
/// queued per path prefix and applied to the next matching requests, everything else passes.
/// Counts requests per path and records the headers they carried.
/// </summary>
public sealed class FlakyProxy : IAsyncDisposable
{
    private static readonly string[] CopiedResponseHeaders = ["Content-Type", "Retry-After", "Content-Range", "Accept-Ranges", "ETag", "Cache-Control"];
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Fault>> _faults = new();

    private FlakyProxy(WebApplication app, HttpClient upstream, Uri address)
    {
        _app = app;
        _upstream = upstream;
        BaseAddress = address;
    }

    public Uri BaseAddress { get; }

    public ConcurrentQueue<(string Path, Fault Fault, IReadOnlyDictionary<string, string> Headers)> Seen { get; } = new();

    public int Count(string pathPrefix) => Seen.Count(s => s.Path.StartsWith(pathPrefix, StringComparison.Ordinal));

    public void Enqueue(string pathPrefix, params Fault[] faults)
    {
        var q = _faults.GetOrAdd(pathPrefix, _ => new ConcurrentQueue<Fault>());
        foreach (var f in faults)
        {
            q.Enqueue(f);
        }
    }

    public static async Task<FlakyProxy> StartAsync(Uri upstream)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = upstream, Timeout = TimeSpan.FromSeconds(60) };
        FlakyProxy? proxy = null;
        app.Run(ctx => proxy!.HandleAsync(ctx));
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy = new FlakyProxy(app, http, new Uri(address));
        return proxy;
    }

    private Fault Next(string path)
    {
        foreach (var (prefix, q) in _faults)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal) && q.TryDequeue(out var f))
            {
                return f;
            }
        }

        return Fault.Pass;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var fault = Next(path);
        Seen.Enqueue((path, fault, ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        switch (fault)
        {
            case Fault.TooManyRequests:
                ctx.Response.StatusCode = 429;
                ctx.Response.Headers.RetryAfter = "1";
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync("""{"code":429,"msg":"rate limit exceeded","data":null}""");
                return;
            case Fault.ResetBefore:
                ctx.Abort();
                return;
            case Fault.NotFoundHtml:
                ctx.Response.StatusCode = 404;
                ctx.Response.ContentType = "text/html";
                await ctx.Response.WriteAsync("<html><body>Not Found</body></html>");
                return;
        }

        using var request = new HttpRequestMessage(new HttpMethod(ctx.Request.Method), path + ctx.Request.QueryString);
        if (ctx.Request.ContentLength > 0 || ctx.Request.Headers.ContainsKey("Transfer-Encoding"))
        {
            using var ms = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(ms);
            request.Content = new ByteArrayContent(ms.ToArray());
            if (ctx.Request.ContentType is { } type)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }

        foreach (var name in new[] { "Authorization", "X-Request-ID", "Range", "Accept", "Last-Event-ID" })
        {
            if (ctx.Request.Headers.TryGetValue(name, out var v))
            {
                request.Headers.TryAddWithoutValidation(name, v.ToString());
            }
        }

        using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ctx.RequestAborted);
        var body = await response.Content.ReadAsByteArrayAsync(ctx.RequestAborted);
        switch (fault)
        {
            case Fault.BadGatewayAfter:
                ctx.Response.StatusCode = 502;
                ctx.Response.ContentType = "text/html";
                await ctx.Response.WriteAsync("<html>502 Bad Gateway</html>");
                return;
            case Fault.ResetAfter:
                ctx.Abort();
                return;
        }

        ctx.Response.StatusCode = (int)response.StatusCode;
        foreach (var name in CopiedResponseHeaders)
        {
            if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
            {
                ctx.Response.Headers[name] = values.ToArray();
            }
        }

        ctx.Response.ContentLength = body.Length;
        if (fault == Fault.TruncateBody)
        {
            await ctx.Response.Body.WriteAsync(body.AsMemory(0, body.Length / 2));
            await ctx.Response.Body.FlushAsync();
            await Task.Delay(300); // let the half arrive: a reset drops data the client has not read yet
            ctx.Abort();
            return;
        }

        await ctx.Response.Body.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
