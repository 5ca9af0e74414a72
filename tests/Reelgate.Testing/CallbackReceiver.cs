using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Reelgate.Testing;

/// <summary>A real HTTP receiver on loopback that records callbacks and answers with scripted statuses.</summary>
public sealed class CallbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _statuses;

    private CallbackReceiver(WebApplication app, ConcurrentQueue<int> statuses, Uri address)
    {
        _app = app;
        _statuses = statuses;
        Address = address;
    }

    public Uri Address { get; }

    public ConcurrentQueue<ReceivedCallback> Received { get; } = new();

    /// <summary>One delivery: its webhook headers (empty when absent), body, and the status answered.</summary>
    public sealed record ReceivedCallback(string Id, string Timestamp, string Signature, byte[] Body, int Answered)
    {
        public System.Text.Json.Nodes.JsonObject Json => System.Text.Json.Nodes.JsonNode.Parse(Body)!.AsObject();
    }

    private int _taken;

    /// <summary>Starts a receiver answering the given statuses in order, then 200.</summary>
    public static async Task<CallbackReceiver> StartAsync(params int[] statuses)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var queue = new ConcurrentQueue<int>(statuses);
        CallbackReceiver? receiver = null;
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var ms = new MemoryStream();
            await http.Request.Body.CopyToAsync(ms);
            var status = queue.TryDequeue(out var s) ? s : 200;
            receiver!.Received.Enqueue(new ReceivedCallback(http.Request.Headers["webhook-id"].ToString(), http.Request.Headers["webhook-timestamp"].ToString(), http.Request.Headers["webhook-signature"].ToString(), ms.ToArray(), status));
            if (status is >= 300 and < 400)
            {
                http.Response.Headers.Location = "http://127.0.0.1:1/elsewhere";
            }

            return Results.StatusCode(status);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        receiver = new CallbackReceiver(app, queue, address);
        return receiver;
    }

    public async Task WaitForAsync(int count, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (Received.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {Received.Count} of {count} callbacks arrived");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The delivery after the last one this method returned, waiting for it up to the timeout.</summary>
    public async Task<ReceivedCallback> NextAsync(int seconds = 30)
    {
        var index = _taken++;
        await WaitForAsync(index + 1, seconds);
        return Received.ElementAt(index);
    }

    /// <summary>The URL deliveries go to.</summary>
    public Uri Hook => new(Address, "hook");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        _statuses.Clear();
    }
}
