using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Reelgate.Emulators.ModelArk;

/// <summary>ModelArk's content generation task API: create, get, cancel-or-delete, list.</summary>
internal static class TaskEndpoints
{
    private static readonly string[] Statuses = [ArkTask.Queued, ArkTask.Running, ArkTask.Cancelled, ArkTask.Succeeded, ArkTask.Failed, ArkTask.Expired];

    public static IEndpointRouteBuilder MapTaskEndpoints(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("/api/v3/contents/generations/tasks");
        tasks.MapPost("", CreateTaskEndpoint.HandleAsync);
        tasks.MapGet("", List);
        tasks.MapGet("{id}", Get);
        tasks.MapDelete("{id}", Delete);
        return app;
    }

    private static IResult Get(string id, HttpRequest request, ArkEmulatorOptions options, ArkTaskStore store, ArkStats stats, TimeProvider time)
    {
        if (!ApiKeyCheck.IsAuthorized(request, options))
        {
            return ArkErrors.Unauthorized(time);
        }

        stats.Poll();
        return store.Find(id) is { } task
            ? Results.Json(task.View(), ArkJsonContext.Default.TaskObject)
            : ArkErrors.TaskNotFound(time, id);
    }

    /// <summary>
    /// As ModelArk documents it: queued becomes cancelled; succeeded, failed and expired records
    /// are deleted; running and cancelled tasks cannot be cancelled or deleted.
    /// </summary>
    private static IResult Delete(string id, HttpRequest request, ArkEmulatorOptions options, ArkTaskStore store, ArkStats stats, TimeProvider time)
    {
        if (!ApiKeyCheck.IsAuthorized(request, options))
        {
            return ArkErrors.Unauthorized(time);
        }

        stats.Delete();
        if (store.Delete(id) is not { } deleted)
        {
            return ArkErrors.TaskNotFound(time, id);
        }

        if (deleted.Outcome == DeleteOutcome.Refused)
        {
            return ArkErrors.TaskNotDeletable(time, id, deleted.Status);
        }

        return Results.Json(new EmptyBody(), ArkJsonContext.Default.EmptyBody);
    }

    /// <summary><c>?page_num=1&amp;page_size=10&amp;filter.status=&amp;filter.task_ids=a&amp;filter.task_ids=b&amp;filter.model=</c></summary>
    private static IResult List(HttpRequest request, ArkEmulatorOptions options, ArkTaskStore store, ArkStats stats, TimeProvider time)
    {
        if (!ApiKeyCheck.IsAuthorized(request, options))
        {
            return ArkErrors.Unauthorized(time);
        }

        stats.List();
        var q = request.Query;
        if (!PageNumber(q["page_num"], out var pageNum))
        {
            return ArkErrors.InvalidParameter(time, "page_num", "must be a whole number from 1 to 500");
        }

        if (!PageNumber(q["page_size"], out var pageSize, fallback: 10))
        {
            return ArkErrors.InvalidParameter(time, "page_size", "must be a whole number from 1 to 500");
        }

        string? status = q["filter.status"].Count == 0 ? null : q["filter.status"].ToString();
        if (status is not null && !Statuses.Contains(status))
        {
            return ArkErrors.InvalidParameter(time, "filter.status", "must be one of " + string.Join(", ", Statuses));
        }

        string? model = q["filter.model"].Count == 0 ? null : q["filter.model"].ToString();
        var ids = q["filter.task_ids"].Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToHashSet(StringComparer.Ordinal);
        var (items, total) = store.List(pageNum, pageSize, status, ids, model);
        return Results.Json(new TaskList(items, total), ArkJsonContext.Default.TaskList);
    }

    private static bool PageNumber(StringValues value, out int number, int fallback = 1)
    {
        number = fallback;
        return value.Count == 0 ||
            (value.Count == 1 && int.TryParse(value[0], NumberStyles.None, CultureInfo.InvariantCulture, out number) && number is >= 1 and <= 500);
    }
}
