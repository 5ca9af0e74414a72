using System.Text;
using System.Text.Json;
using Reelgate.Core.Limits;
using Reelgate.Core.Tasks;
using Reelgate.Server.Events;
using Reelgate.Server.OpenApi;
using Microsoft.OpenApi;

namespace Reelgate.Server.Api;

/// <summary>
/// <c>GET /api/v1/jobs/events[?taskId=]</c>: server-sent events of task changes (state, progress,
/// failCode). With <c>taskId</c>: the task's current state first, then its changes until it ends,
/// then the stream closes. Without: every change of the key's account, until the client leaves.
/// <c>Last-Event-ID</c> resumes: missed events are replayed from the last 1,000 of the account.
/// A comment line every 15 s keeps proxies from closing an idle stream. A task stream of a task
/// still queued carries its <c>queuePosition</c> and <c>etaSeconds</c> (see <see cref="QueuePlace"/>)
/// and sends an event each time the position moves.
/// </summary>
public static class EventsEndpoints
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>How often a stream of a queued task looks whether the cluster moved (a memory read; the database only when it did).</summary>
    private static readonly TimeSpan QueuePoll = TimeSpan.FromSeconds(1);

    public static IEndpointRouteBuilder MapTaskEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/jobs/events", StreamAsync).WithTags("Events")
            .AddEndpointFilter(ApiKeyFilter.Read)
            .WithSummary("Server-sent events of task changes (one task with taskId, else the account)")
            .WithDescription("Each event is `id: N`, `event: task` and `data:` a JSON object: `taskId`, `state` (waiting, success, fail), `progress` (0-100), "
                + "`failCode` (null unless fail), `updateTime` (ms). On a task stream, while the task waits and no worker has taken it, events also carry "
                + "`queuePosition` (integer, 1 = the next claim takes it) and, when this node can tell, `etaSeconds` (number), as recordInfo; a new event "
                + "comes each time the position moves. Both are absent on every other event (once the task started or ended, and on the account stream). "
                + "A `: keep-alive` comment line comes after 15 s without an event.")
            .Produces<string>(200, "text/event-stream")
            .Produces<ApiEnvelope<object>>(401, "application/json")
            .Produces<ApiEnvelope<object>>(404, "application/json")
            .Produces<ApiEnvelope<RateLimitData>>(429, "application/json")
            .Produces<ApiEnvelope<object>>(500, "application/json")
            .Produces<ApiEnvelope<object>>(503, "application/json")
            .QueryParameter("taskId", required: false, "One task's events, ending when it ends; absent: every change of the account. Unknown, another account's or repeated: 404.")
            .HeaderParameter("Last-Event-ID", "The id of the last event received: the missed events are replayed first.", () => new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" });
        return app;
    }

    private static async Task StreamAsync(HttpContext http, ITaskStore tasks, TaskEventHub hub, Workers.QueueEta eta, TimeProvider time)
    {
        var key = ApiCaller.Of(http).Key;

        var ids = http.Request.Query["taskId"];
        string? taskId = null;
        TaskRecord? task = null;
        if (ids.Count > 0)
        {
            taskId = ids.Count == 1 ? ids[0] : null;
            task = taskId is { Length: > 0 and <= 80 } ? await tasks.GetAsync(taskId, http.RequestAborted) : null;
            if (task is null || task.AccountId != key.AccountId)
            {
                await ApiResults.Error(404, "task not found").ExecuteAsync(http);
                return;
            }
        }

        long? lastEventId = long.TryParse(http.Request.Headers["Last-Event-ID"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var last) ? last : null;
        using var subscription = hub.Subscribe(key.AccountId, lastEventId);
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var ct = http.RequestAborted;

        // A task stream of a task still in the queue also tells its place there while it waits.
        var place = task is { State: TaskState.Waiting, StartTime: null } ? new QueuePlace(tasks, eta, hub, time, task.TaskId, task.Model) : null;
        var stream = new EventWriter(http, time, lastEventId ?? 0);
        try
        {
            if (subscription.Missed is { } missed)
            {
                foreach (var e in missed.Where(e => taskId is null || e.TaskId == taskId))
                {
                    await stream.WriteAsync(e.Id, e.TaskId, e.State, e.Progress, e.FailCode, e.UpdateTime, null, ct);
                    if (taskId is not null && e.State != TaskState.Waiting)
                    {
                        return;
                    }
                }

                if (place is not null && await place.RefreshAsync(force: true, ct))
                {
                    await stream.WriteAsync(stream.LastId, task!.TaskId, TaskState.Waiting, task.Progress, null, task.UpdateTime, place, ct);
                }
            }
            else if (task is not null)
            {
                if (place is not null)
                {
                    await place.RefreshAsync(force: true, ct);
                }

                await stream.WriteAsync(hub.CurrentId, task.TaskId, task.State, task.Progress, task.FailCode, task.UpdateTime, place, ct);
                if (task.State != TaskState.Waiting)
                {
                    return;
                }
            }

            await http.Response.Body.FlushAsync(ct);
            while (!ct.IsCancellationRequested)
            {
                // While the task is queued, a short wait: its position is re-read when the cluster moved.
                var untilKeepAlive = KeepAlive - time.GetElapsedTime(stream.LastWrite);
                var wait = place is { Active: true } && untilKeepAlive > QueuePoll ? QueuePoll : untilKeepAlive;
                using var timer = new CancellationTokenSource(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time);
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
                TaskEvent e;
                try
                {
                    e = await subscription.Live.ReadAsync(tick.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    var keepAlive = time.GetElapsedTime(stream.LastWrite) >= KeepAlive;
                    if (keepAlive)
                    {
                        await stream.KeepAliveAsync(ct);
                        if (taskId is not null && await tasks.GetAsync(taskId, ct) is { State: not TaskState.Waiting } ended)
                        {
                            // Safety net for an end no event announced (e.g. failed at claim time after repeated crashes).
                            await stream.WriteAsync(hub.CurrentId, ended.TaskId, ended.State, ended.Progress, ended.FailCode, ended.UpdateTime, null, ct);
                            return;
                        }
                    }

                    // At a keep-alive the position is re-read anyway: a lease can expire without an event.
                    if (place is not null && await place.RefreshAsync(force: keepAlive, ct))
                    {
                        await stream.WriteAsync(stream.LastId, task!.TaskId, TaskState.Waiting, task.Progress, null, task.UpdateTime, place, ct);
                    }

                    continue;
                }

                if (taskId is not null && e.TaskId != taskId)
                {
                    continue;
                }

                // The task's own change: mostly its claim, after which it has no position (the claim is
                // committed before it is announced); its creation relayed late from another node keeps it.
                if (place is { Active: true } && e.State == TaskState.Waiting)
                {
                    await place.RefreshAsync(force: true, ct);
                }
                else
                {
                    place?.Stop();
                }

                await stream.WriteAsync(e.Id, e.TaskId, e.State, e.Progress, e.FailCode, e.UpdateTime, place, ct);
                if (taskId is not null && e.State != TaskState.Waiting)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client left.
        }
    }

    /// <summary>The response being written: the id of the last event sent and when anything was last sent.</summary>
    private sealed class EventWriter(HttpContext http, TimeProvider time, long lastId)
    {
        public long LastId { get; private set; } = lastId;

        public long LastWrite { get; private set; } = time.GetTimestamp();

        /// <summary>
        /// One event. With a <paramref name="place"/> that is still active, the task's queue position
        /// and eta go with it (a position event repeats the last id: it is not a stored event, so a
        /// client resuming from it misses nothing).
        /// </summary>
        public async Task WriteAsync(long id, string taskId, string state, int progress, string? failCode, long updateTime, QueuePlace? place, CancellationToken ct)
        {
            var data = new TaskEventData(taskId, state, progress, failCode, updateTime);
            if (place is { Active: true, Position: { } position })
            {
                data = data with { QueuePosition = position, EtaSeconds = place.EtaSeconds };
            }

            var json = JsonSerializer.Serialize(data, ApiJsonContext.Web.TaskEventData);
            await http.Response.WriteAsync($"id: {id}\nevent: task\ndata: {json}\n\n", Encoding.UTF8, ct);
            await http.Response.Body.FlushAsync(ct);
            LastId = id;
            LastWrite = time.GetTimestamp();
        }

        public async Task KeepAliveAsync(CancellationToken ct)
        {
            await http.Response.WriteAsync(": keep-alive\n\n", ct);
            await http.Response.Body.FlushAsync(ct);
            LastWrite = time.GetTimestamp();
        }
    }
}
