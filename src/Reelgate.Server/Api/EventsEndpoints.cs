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
/// A comment line every 15 s keeps proxies from closing an idle stream.
/// </summary>
public static class EventsEndpoints
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapTaskEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/jobs/events", StreamAsync).WithTags("Events")
            .AddEndpointFilter(ApiKeyFilter.Read)
            .WithSummary("Server-sent events of task changes (one task with taskId, else the account)")
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

    private static async Task StreamAsync(HttpContext http, ITaskStore tasks, TaskEventHub hub)
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
        try
        {
            if (subscription.Missed is { } missed)
            {
                foreach (var e in missed.Where(e => taskId is null || e.TaskId == taskId))
                {
                    await WriteAsync(http, e.Id, e.TaskId, e.State, e.Progress, e.FailCode, e.UpdateTime, ct);
                    if (taskId is not null && e.State != TaskState.Waiting)
                    {
                        return;
                    }
                }
            }
            else if (task is not null)
            {
                await WriteAsync(http, hub.CurrentId, task.TaskId, task.State, task.Progress, task.FailCode, task.UpdateTime, ct);
                if (task.State != TaskState.Waiting)
                {
                    return;
                }
            }

            await http.Response.Body.FlushAsync(ct);
            while (!ct.IsCancellationRequested)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(ct);
                tick.CancelAfter(KeepAlive);
                TaskEvent e;
                try
                {
                    e = await subscription.Live.ReadAsync(tick.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                    if (taskId is not null && await tasks.GetAsync(taskId, ct) is { State: not TaskState.Waiting } ended)
                    {
                        // Safety net for an end no event announced (e.g. failed at claim time after repeated crashes).
                        await WriteAsync(http, hub.CurrentId, ended.TaskId, ended.State, ended.Progress, ended.FailCode, ended.UpdateTime, ct);
                        return;
                    }

                    continue;
                }

                if (taskId is not null && e.TaskId != taskId)
                {
                    continue;
                }

                await WriteAsync(http, e.Id, e.TaskId, e.State, e.Progress, e.FailCode, e.UpdateTime, ct);
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

    private static async Task WriteAsync(HttpContext http, long id, string taskId, string state, int progress, string? failCode, long updateTime, CancellationToken ct)
    {
        var json = JsonSerializer.Serialize(new TaskEventData(taskId, state, progress, failCode, updateTime), ApiJsonContext.Web.TaskEventData);
        await http.Response.WriteAsync($"id: {id}\nevent: task\ndata: {json}\n\n", Encoding.UTF8, ct);
        await http.Response.Body.FlushAsync(ct);
    }
}
