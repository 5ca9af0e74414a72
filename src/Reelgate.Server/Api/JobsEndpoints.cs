using Microsoft.OpenApi;
using Reelgate.Server.OpenApi;
using Reelgate.Core.Accounts;
using Reelgate.Core.Tasks;

namespace Reelgate.Server.Api;

/// <summary>The public jobs API: createTask, recordInfo, and the account's credit balance.</summary>
public static class JobsEndpoints
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1").WithTags("Jobs");
        v1.MapPost("/jobs/createTask", (HttpContext http, CreateTaskEndpoint endpoint) => endpoint.HandleAsync(http))
            .AddEndpointFilter(ApiKeyFilter.Create)
            .Documented<CreateTaskData>("Create a generation task (charged at once, refunded if it fails)", 400, 401, 402, 409, 422, 429, 500, 503)
            .HeaderParameter("X-Request-ID", "Idempotency key per API key: the same id and body return the first task (no new charge); another body: 409 request conflict. Invalid or repeated: 400.", () => new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                MinLength = 1,
                MaxLength = 128,
                Pattern = "^[\\x21-\\x7E]+$",
            });
        v1.MapPost("/jobs/quote", (HttpContext http, CreateTaskEndpoint endpoint, IAccountStore accounts, TimeProvider time) => endpoint.QuoteAsync(http, accounts, time))
            .AddEndpointFilter(ApiKeyFilter.Read)
            .Documented<QuoteData>("Price a createTask body: the same checks (400, 422), the credits it would charge, the balance now and after, the key's room under its credit limit; nothing is created or charged (rate-limited as a read)", 400, 401, 422, 429, 500, 503);
        v1.MapGet("/jobs/recordInfo", RecordInfoAsync)
            .AddEndpointFilter(ApiKeyFilter.Read)
            .Documented<TaskInfoData>("Read a task: state, param, resultJson with signed URLs, failCode", 400, 401, 404, 429, 500, 503)
            .QueryParameter("taskId", required: true, "The task id createTask returned; missing, empty or repeated: 400.");
        v1.MapGet("/chat/credit", CreditAsync)
            .AddEndpointFilter(ApiKeyFilter.Read)
            .Documented<long>("The account's credit balance", 401, 429, 500, 503);
        v1.MapGet("/jobs/list", ListAsync)
            .AddEndpointFilter(ApiKeyFilter.Read)
            .Documented<TaskListData>("The account's tasks, newest first, keyset pagination", 400, 401, 422, 429, 500, 503)
            .QueryParameter("state", required: false, "Only tasks in this state; another value: 422.", () => new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [TaskState.Waiting, TaskState.Success, TaskState.Fail],
            })
            .QueryParameter("model", required: false, "Only tasks of this model id.")
            .QueryParameter("limit", required: false, "Page size, 1 to 100 (default 20); another value: 422.", () => new OpenApiSchema
            {
                Type = JsonSchemaType.Integer,
                Minimum = "1",
                Maximum = "100",
                Default = 20,
            })
            .QueryParameter("cursor", required: false, "The previous page's nextCursor (opaque); a malformed one: 400.");
        v1.MapPost("/jobs/cancel", CancelAsync)
            .AddEndpointFilter(ApiKeyFilter.Create)
            .Documented<object>("Cancel a waiting task (fail with cancelled, full refund)", 400, 401, 404, 409, 422, 429, 500, 503)
            .JsonBody<CancelTaskRequest>();
        return app;
    }

    private static async Task<IResult> RecordInfoAsync(HttpContext http, ITaskStore tasks, TaskView view, Workers.QueueEta eta, TimeProvider time)
    {
        var key = ApiCaller.Of(http).Key;

        var ids = http.Request.Query["taskId"];
        if (ids.Count != 1 || string.IsNullOrEmpty(ids[0]))
        {
            return ApiResults.Error(400, ApiResults.InvalidRequest);
        }

        var id = ids[0]!;
        var task = TaskIds.IsWellFormed(id) ? await tasks.GetAsync(id, http.RequestAborted) : null;
        if (task is null || task.AccountId != key.AccountId)
        {
            // Another account's task is "not found" too: existence is never revealed.
            return ApiResults.Error(404, "task not found");
        }

        var data = view.ToData(task, http.Request);
        if (task.State == TaskState.Waiting && task.StartTime is null
            && await tasks.QueuePositionAsync(task.TaskId, time.GetUtcNow().ToUnixTimeMilliseconds(), http.RequestAborted) is { } position)
        {
            data = data with { QueuePosition = position, EtaSeconds = eta.Estimate(task.Model, position) };
        }

        return ApiResults.Ok(data, ApiJsonContext.Web.ApiEnvelopeTaskInfoData);
    }

    private static async Task<IResult> CreditAsync(HttpContext http, IAccountStore accounts)
    {
        var key = ApiCaller.Of(http).Key;

        var balance = await accounts.GetBalanceAsync(key.AccountId, http.RequestAborted);
        return ApiResults.Ok(balance ?? 0, ApiJsonContext.Web.ApiEnvelopeInt64);
    }

    /// <summary>
    /// <c>GET /api/v1/jobs/list?state=&amp;model=&amp;limit=&amp;cursor=</c>: the caller's account's tasks,
    /// newest first, keyset pagination (a cursor stays valid while new tasks arrive).
    /// </summary>
    private static async Task<IResult> ListAsync(HttpContext http, ITaskStore tasks, TaskView view)
    {
        var key = ApiCaller.Of(http).Key;

        var q = http.Request.Query;
        if (q["state"].Count > 1 || q["model"].Count > 1 || q["limit"].Count > 1 || q["cursor"].Count > 1)
        {
            return ApiResults.Error(400, ApiResults.InvalidRequest);
        }

        var state = string.IsNullOrEmpty(q["state"]) ? null : q["state"].ToString();
        if (state is not (null or TaskState.Waiting or TaskState.Success or TaskState.Fail))
        {
            return ApiResults.Error(422, "validation error: state must be one of waiting, success, fail");
        }

        var limit = 20;
        if (!string.IsNullOrEmpty(q["limit"]) && (!int.TryParse(q["limit"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            return ApiResults.Error(422, "validation error: limit must be a whole number from 1 to 100");
        }

        TaskCursor? after = null;
        if (!string.IsNullOrEmpty(q["cursor"]))
        {
            if (ListCursor.Decode(q["cursor"]!) is not { } cursor)
            {
                return ApiResults.Error(400, ApiResults.InvalidRequest);
            }

            after = cursor;
        }

        var model = string.IsNullOrEmpty(q["model"]) ? null : q["model"].ToString();
        var page = await tasks.ListAsync(key.AccountId, state, model, after, limit + 1, http.RequestAborted);
        var items = page.Take(limit).Select(t => view.ToData(t, http.Request)).ToList();
        var next = page.Count > limit ? ListCursor.Encode(new TaskCursor(page[limit - 1].CreateTime, page[limit - 1].TaskId)) : null;
        return ApiResults.Ok(new TaskListData(items, next), ApiJsonContext.Web.ApiEnvelopeTaskListData);
    }

    /// <summary>
    /// <c>POST /api/v1/jobs/cancel {"taskId":...}</c>: a waiting task (queued or generating) ends in
    /// fail with <c>cancelled</c> and a full refund; an ended one is 409 task already finished.
    /// </summary>
    private static async Task<IResult> CancelAsync(HttpContext http, Creation.TaskCanceller canceller)
    {
        var key = ApiCaller.Of(http).Key;

        var (body, bad) = await JsonRequest.ReadAsync(http, ApiJsonContext.Web.CancelTaskRequest);
        if (bad is not null)
        {
            return bad;
        }

        if (body!.TaskId is not { Length: > 0 } id)
        {
            return ApiResults.Error(422, "validation error: taskId is required");
        }

        return await canceller.CancelAsync(id, key.AccountId, http.RequestAborted) switch
        {
            CancelOutcome.Cancelled => ApiResults.OkNull(),
            CancelOutcome.AlreadyFinished => ApiResults.Error(409, "task already finished"),
            _ => ApiResults.Error(404, "task not found"),
        };
    }
}
