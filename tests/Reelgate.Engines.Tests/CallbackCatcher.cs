using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reelgate.Engines.Tests;

/// <summary>A callback receiver on loopback: answers scripted statuses first (then 200) and hands over what it got.</summary>
public sealed class CallbackCatcher : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<(int Answered, JsonObject Body)> _received = Channel.CreateUnbounded<(int, JsonObject)>();

    private CallbackCatcher(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<CallbackCatcher> StartAsync(params int[] firstAnswers)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var answers = new Queue<int>(firstAnswers);
        CallbackCatcher? catcher = null;
        app.MapPost("/hook", async (HttpContext http) =>
        {
            var body = (await System.Text.Json.JsonSerializer.DeserializeAsync<JsonObject>(http.Request.Body))!;
            int status;
            lock (answers)
            {
                status = answers.Count > 0 ? answers.Dequeue() : 200;
            }

            await catcher!._received.Writer.WriteAsync((status, body));
            return Results.StatusCode(status);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        catcher = new CallbackCatcher(app, new Uri(address + "/hook"));
        return catcher;
    }

    /// <summary>The next callback received, within the timeout.</summary>
    public async Task<(int Answered, JsonObject Body)> NextAsync(int seconds = 30)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(seconds));
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
