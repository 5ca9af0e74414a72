using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Reelgate.Core.Cluster;

namespace Reelgate.Data.Tests.Conformance;

/// <summary>
/// The <see cref="IClusterSignals"/> contract, run against the signals each storage registration
/// brings: every kind of signal published reaches a listener (the sender's own included), with
/// its fields intact, and stops reaching it once it stops listening.
/// </summary>
public abstract class ClusterSignalsConformance : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Backend _backend = null!;

    protected IClusterSignals Signals { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _backend = await OpenAsync();
        await _backend.Database.MigrateAsync(Ct);
        Signals = _backend.Services.GetRequiredService<IClusterSignals>();
    }

    public virtual async ValueTask DisposeAsync() => await _backend.DisposeAsync();

    /// <summary>The backend, registered as the server registers it.</summary>
    protected abstract Task<Backend> OpenAsync();

    [Fact]
    public async Task TaskEvent_ReachesTheListener_WithEveryField()
    {
        await using var listener = await Listener.StartAsync(Signals);
        var change = new ClusterTaskEvent("node1", "acc_1", "task_1", "generating", 42, null, 1_700_000_000_123);
        var ended = change with { State = "fail", Progress = 100, FailCode = "generation_failed" };

        Assert.True(await Signals.PublishTaskEventsAsync([change, ended], Ct));

        Assert.Equal(new[] { change, ended }, await listener.EventsAsync(2));
    }

    [Fact]
    public async Task UpstreamHook_ReachesTheListener()
    {
        await using var listener = await Listener.StartAsync(Signals);

        Assert.True(await Signals.PublishUpstreamHookAsync("cgt-2025-abc", Ct));

        await listener.WaitForHookAsync("cgt-2025-abc");
    }

    [Fact]
    public async Task QueueWakeup_ReachesTheListener()
    {
        await using var listener = await Listener.StartAsync(Signals);
        var before = listener.Wakeups;

        Assert.True(await Signals.PublishQueueWakeupAsync(Ct));

        await listener.WaitAsync(() => listener.Wakeups > before, "a queue wake-up");
    }

    [Fact]
    public async Task Signals_StopReachingAListener_ThatStoppedListening()
    {
        var listener = await Listener.StartAsync(Signals);
        await listener.DisposeAsync();

        Assert.True(await Signals.PublishUpstreamHookAsync("after-stop", Ct));
        await Task.Delay(200, Ct); // a wrong delivery would come within this; the right outcome is none
        Assert.DoesNotContain("after-stop", listener.Hooks);
    }

    /// <summary>A handler that records what it receives, listening until disposed.</summary>
    private sealed class Listener : IClusterSignalHandler, IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        private readonly ConcurrentQueue<ClusterTaskEvent> _events = new();
        private readonly ConcurrentQueue<string> _hooks = new();
        private Task _listening = Task.CompletedTask;
        private int _wakeups;

        public int Wakeups => Volatile.Read(ref _wakeups);

        public IReadOnlyCollection<string> Hooks => _hooks;

        /// <summary>
        /// Starts listening and returns once signals arrive: a LISTEN connection may take a moment,
        /// so probes are published until one comes back.
        /// </summary>
        public static async Task<Listener> StartAsync(IClusterSignals signals)
        {
            var listener = new Listener();
            listener._listening = signals.ListenAsync(listener, listener._stop.Token);
            var deadline = DateTime.UtcNow + Patience;
            while (!listener._hooks.Contains("probe"))
            {
                Assert.True(DateTime.UtcNow < deadline, "the listener received nothing within 10 s");
                await signals.PublishUpstreamHookAsync("probe", Ct);
                await Task.Delay(50, Ct);
            }

            return listener;
        }

        public void OnQueueWakeup() => Interlocked.Increment(ref _wakeups);

        public void OnTaskEvent(ClusterTaskEvent change) => _events.Enqueue(change);

        public void OnUpstreamHook(string upstreamId) => _hooks.Enqueue(upstreamId);

        public async Task<ClusterTaskEvent[]> EventsAsync(int count)
        {
            await WaitAsync(() => _events.Count >= count, $"{count} task event(s)");
            return [.. _events];
        }

        public Task WaitForHookAsync(string upstreamId) => WaitAsync(() => _hooks.Contains(upstreamId), "the upstream hook " + upstreamId);

        public async Task WaitAsync(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (!condition())
            {
                Assert.True(DateTime.UtcNow < deadline, $"{what} did not arrive within 10 s");
                await Task.Delay(20, Ct);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _listening;
            _stop.Dispose();
        }
    }
}
