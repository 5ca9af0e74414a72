using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reelgate.Server.Tests.Infrastructure;

/// <summary>
/// A real loopback HTTP server (Kestrel on 127.0.0.1, port 0) serving media inputs the way
/// remote hosts do, well and badly: PNGs made by ffmpeg, redirects, 404, an endless body, a slow
/// answer, a lying Content-Length, text labelled image/png. Counts requests per path and query.
/// </summary>
public sealed class MediaServer : IAsyncLifetime
{
    private WebApplication? _app;

    public int Port { get; private set; }

    /// <summary>A 640x360 PNG and a 1080x1920 one, made by ffmpeg.</summary>
    public byte[] Png { get; private set; } = [];

    public byte[] TallPng { get; private set; } = [];

    public ConcurrentDictionary<string, int> Requests { get; } = new(StringComparer.Ordinal);

    /// <summary>A URL on <c>localhost</c> (a name that resolves to loopback) or on <c>127.0.0.1</c>.</summary>
    public string Url(string pathAndQuery, string host = "localhost") => $"http://{host}:{Port}{pathAndQuery}";

    public async ValueTask InitializeAsync()
    {
        Png = await MakePngAsync(640, 360);
        TallPng = await MakePngAsync(1080, 1920);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Use(async (http, next) =>
        {
            Requests.AddOrUpdate(http.Request.Path + http.Request.QueryString, 1, (_, n) => n + 1);
            await next(http);
        });
        _app.MapGet("/img.png", () => Results.Bytes(Png, "image/png"));
        _app.MapGet("/tall.png", () => Results.Bytes(TallPng, "image/png"));
        _app.MapGet("/text.png", () => Results.Bytes("this is not an image at all"u8.ToArray(), "image/png"));
        _app.MapGet("/to-loopback", () => Results.Redirect(Url("/img.png", "127.0.0.1")));
        _app.MapGet("/to-img", () => Results.Redirect("/img.png"));
        _app.MapGet("/loop", () => Results.Redirect("/loop"));
        _app.MapGet("/endless", async (HttpContext http) =>
        {
            http.Response.ContentType = "image/png";
            var chunk = new byte[64 * 1024];
            while (!http.RequestAborted.IsCancellationRequested)
            {
                await http.Response.Body.WriteAsync(chunk, http.RequestAborted);
            }
        });
        _app.MapGet("/slow", async (HttpContext http) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(20), http.RequestAborted);
            return Results.Bytes(Png, "image/png");
        });
        _app.MapGet("/huge", async (HttpContext http) =>
        {
            http.Response.ContentType = "image/png";
            http.Response.ContentLength = 31L * 1024 * 1024;
            await http.Response.Body.WriteAsync(Png, http.RequestAborted);
            await Task.Delay(TimeSpan.FromSeconds(20), http.RequestAborted);
        });
        await _app.StartAsync(TestContext.Current.CancellationToken);
        Port = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static async Task<byte[]> MakePngAsync(int width, int height)
    {
        var path = Path.Combine(Path.GetTempPath(), $"reelgate-input-{Guid.NewGuid():N}.png");
        var psi = new ProcessStartInfo("/usr/bin/ffmpeg", ["-v", "error", "-f", "lavfi", "-i", $"testsrc2=s={width}x{height}", "-frames:v", "1", "-y", path])
        {
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var errors = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, errors);
        try
        {
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
