using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reelgate.Server.Tests.Media;

/// <summary>
/// A remote host on loopback (Kestrel, 127.0.0.1, port 0) that serves whatever bytes a test puts
/// at a path, with the content type it is told (true or not), or a redirect; anything else is 404.
/// Reached as <c>localhost</c>, which a test lets the worker fetch with <c>Reelgate:Inputs:AllowedHosts</c>.
/// </summary>
public sealed class LoopbackFiles : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (byte[] Bytes, string ContentType)> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _redirects = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    private LoopbackFiles(WebApplication app) => _app = app;

    public int Port { get; private set; }

    public ConcurrentDictionary<string, int> Requests { get; } = new(StringComparer.Ordinal);

    /// <summary>A URL of this server on <c>localhost</c> (or another name or address for it).</summary>
    public string Url(string path, string host = "localhost") => $"http://{host}:{Port}{path}";

    /// <summary>Serves <paramref name="bytes"/> at <paramref name="path"/>; returns its URL.</summary>
    public string Serve(string path, byte[] bytes, string contentType = "image/png")
    {
        _files[path] = (bytes, contentType);
        return Url(path);
    }

    /// <summary>Answers <paramref name="path"/> with a 302 to <paramref name="target"/>; returns its URL.</summary>
    public string Redirect(string path, string target)
    {
        _redirects[path] = target;
        return Url(path);
    }

    public static async Task<LoopbackFiles> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var files = new LoopbackFiles(builder.Build());
        files._app.Run(files.AnswerAsync);
        await files._app.StartAsync(TestContext.Current.CancellationToken);
        files.Port = new Uri(files._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return files;
    }

    private async Task AnswerAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "/";
        Requests.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (_redirects.TryGetValue(path, out var target))
        {
            http.Response.Redirect(target);
        }
        else if (_files.TryGetValue(path, out var file))
        {
            http.Response.ContentType = file.ContentType;
            http.Response.ContentLength = file.Bytes.Length;
            await http.Response.Body.WriteAsync(file.Bytes, http.RequestAborted);
        }
        else
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
