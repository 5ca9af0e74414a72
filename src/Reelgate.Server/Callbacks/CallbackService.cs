using System.Text.Json;
using Microsoft.Extensions.Options;
using Reelgate.Core.Callbacks;
using Reelgate.Core.Tasks;
using Reelgate.Server.Api;
using Reelgate.Server.Options;

namespace Reelgate.Server.Callbacks;

/// <summary>
/// Delivers the callback outbox: claims due deliveries (a lease of timeout + 30 s, so a crash
/// mid-send means a retry, never a lost callback), POSTs the task's recordInfo data signed with
/// the account's secret, records the try, and schedules the next one from
/// <c>Reelgate:Callbacks:RetrySchedule</c> until it is delivered or the schedule is spent.
/// At least once: a receiver may see a callback twice and should dedupe by <c>webhook-id</c>.
/// A callback never changes its task. Looks for due work every second.
/// </summary>
public sealed partial class CallbackService(
    ICallbackOutbox outbox,
    ITaskStore tasks,
    TaskView view,
    CallbackSender sender,
    Observability.ReelgateMetrics metrics,
    TimeProvider time,
    IOptions<ReelgateOptions> options,
    ILogger<CallbackService> log) : BackgroundService
{
    private readonly CallbackOptions _options = options.Value.Callbacks;
    private readonly string _role = options.Value.Role;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_role == Roles.Api)
        {
            return; // api nodes only accept and serve; worker (and all) nodes deliver callbacks
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var due = await outbox.ClaimDueAsync(Now(), _options.Timeout + TimeSpan.FromSeconds(30), 16, stoppingToken);
                if (due.Count == 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                    continue;
                }

                await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = stoppingToken }, DeliverAsync);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogLoopError(e.GetType().Name, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, CancellationToken.None);
            }
        }
    }

    private async ValueTask DeliverAsync(CallbackDelivery delivery, CancellationToken ct)
    {
        var task = await tasks.GetAsync(delivery.TaskId, ct);
        var secret = await outbox.GetOrCreateSecretAsync(delivery.AccountId, WebhookSigner.NewSecret(), ct);
        if (task is null || secret is null)
        {
            return;
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(view.ToCallbackData(task), ApiJsonContext.Web.TaskInfoData);
        var attempt = await sender.SendAsync(delivery.Url, "msg_" + delivery.TaskId, secret, body, ct);
        long? retryAt = null;
        var schedule = _options.EffectiveRetrySchedule;
        if (!attempt.Succeeded && delivery.Attempts < schedule.Count)
        {
            retryAt = Now() + (long)schedule[delivery.Attempts].TotalMilliseconds;
        }

        await outbox.RecordAttemptAsync(delivery.Id, attempt, retryAt, CancellationToken.None);
        metrics.CallbackTried(attempt.Succeeded ? "delivered" : retryAt is null ? "failed" : "retry");
        if (attempt.Succeeded)
        {
            LogDelivered(delivery.TaskId, delivery.Attempts + 1);
        }
        else
        {
            LogFailed(delivery.TaskId, delivery.Attempts + 1, attempt.StatusCode ?? 0, attempt.Error ?? "", retryAt is null);
        }
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(Level = LogLevel.Information, Message = "callback for task {TaskId} delivered on try {Attempt}")]
    private partial void LogDelivered(string taskId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "callback for task {TaskId} try {Attempt} failed ({Status}: {Error}); given up: {GivenUp}")]
    private partial void LogFailed(string taskId, int attempt, int status, string error, bool givenUp);

    [LoggerMessage(Level = LogLevel.Error, Message = "callback loop: {Error}: {Message}")]
    private partial void LogLoopError(string error, string message);
}
