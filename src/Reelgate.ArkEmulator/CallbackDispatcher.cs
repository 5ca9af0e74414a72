using System.Net.Http.Headers;
using System.Text.Json;

namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// Best-effort callbacks: each state a task enters is POSTed to its <c>callback_url</c> as the same
/// JSON a GET answers. A task's callbacks go out one after another in state order; tasks do not
/// wait for each other, and the state machine never waits for a callback (a send only chains a
/// delivery and returns). Each delivery is tried <see cref="ArkEmulatorOptions.CallbackAttempts"/>
/// times with a short timeout and backoff, then given up: at most once per attempt, no guarantee.
/// Network timeouts run on the real clock, whatever clock drives the tasks.
/// </summary>
internal sealed partial class CallbackDispatcher : IAsyncDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) });
    private readonly CancellationTokenSource _stopping = new();
    private readonly ArkEmulatorOptions _options;
    private readonly ArkStats _stats;
    private readonly ILogger<CallbackDispatcher> _log;

    public CallbackDispatcher(ArkEmulatorOptions options, ArkStats stats, ILogger<CallbackDispatcher> log)
    {
        _options = options;
        _stats = stats;
        _log = log;
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Reelgate-ArkEmulator/1.0");
    }

    /// <summary>Queues the view for the task's callback URL, if it has one. Called under the task's lock; returns at once.</summary>
    public void Send(ArkTask task, TaskObject view)
    {
        if (task.Request.CallbackUrl is not { } url || _stopping.IsCancellationRequested)
        {
            return;
        }

        task.CallbackTail = DeliverAfterAsync(task.CallbackTail, url, view);
    }

    private async Task DeliverAfterAsync(Task previous, string url, TaskObject view)
    {
        // Yield first: the caller holds the task's lock.
        await previous.ConfigureAwait(ConfigureAwaitOptions.ForceYielding | ConfigureAwaitOptions.SuppressThrowing);
        var body = JsonSerializer.SerializeToUtf8Bytes(view, ArkJsonContext.Default.TaskObject);
        for (var attempt = 1; attempt <= _options.CallbackAttempts; attempt++)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(_options.CallbackTimeout);
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await _http.PostAsync(url, content, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    _stats.CallbackDelivered();
                    return;
                }

                LogAttemptFailed(view.Id, view.Status, attempt, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (HttpRequestException e)
            {
                LogAttemptFailed(view.Id, view.Status, attempt, e.Message);
            }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                LogAttemptFailed(view.Id, view.Status, attempt, "timed out");
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                // Stopping: the emulator is being disposed.
                return;
            }

            if (attempt < _options.CallbackAttempts)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        _stats.CallbackFailed();
    }

    public async ValueTask DisposeAsync()
    {
        // The token source is not disposed: deliveries still winding down may look at it.
        await _stopping.CancelAsync();
        _http.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "callback for {TaskId} ({Status}) attempt {Attempt} failed: {Reason}")]
    private partial void LogAttemptFailed(string taskId, string status, int attempt, string reason);
}
