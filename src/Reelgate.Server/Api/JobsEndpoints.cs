using System.Text.RegularExpressions;
using Reelgate.Core.Accounts;
using Reelgate.Core.Limits;
using Reelgate.Core.Tasks;

namespace Reelgate.Server.Api;

/// <summary>The public jobs API: createTask, recordInfo, and the account's credit balance.</summary>
public static partial class JobsEndpoints
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1");
        v1.MapPost("/jobs/createTask", (HttpContext http, CreateTaskEndpoint endpoint) => endpoint.HandleAsync(http));
        v1.MapGet("/jobs/recordInfo", RecordInfoAsync);
        v1.MapGet("/chat/credit", CreditAsync);
        return app;
    }

    private static async Task<IResult> RecordInfoAsync(HttpContext http, ApiCaller caller, ITaskStore tasks, TaskView view)
    {
        var (key, _, error) = await caller.CheckAsync(http, RequestKind.Read);
        if (error is not null)
        {
            return error;
        }

        var ids = http.Request.Query["taskId"];
        if (ids.Count != 1 || string.IsNullOrEmpty(ids[0]))
        {
            return ApiResults.Error(400, ApiResults.InvalidRequest);
        }

        var id = ids[0]!;
        var task = TaskIdPattern().IsMatch(id) ? await tasks.GetAsync(id, http.RequestAborted) : null;
        if (task is null || task.AccountId != key!.AccountId)
        {
            // Another account's task is "not found" too: existence is never revealed.
            return ApiResults.Error(404, "task not found");
        }

        return ApiResults.Ok(view.ToData(task, http.Request), ApiJsonContext.Web.ApiEnvelopeTaskInfoData);
    }

    private static async Task<IResult> CreditAsync(HttpContext http, ApiCaller caller, IAccountStore accounts)
    {
        var (key, _, error) = await caller.CheckAsync(http, RequestKind.Read);
        if (error is not null)
        {
            return error;
        }

        var balance = await accounts.GetBalanceAsync(key!.AccountId, http.RequestAborted);
        return ApiResults.Ok(balance ?? 0, ApiJsonContext.Web.ApiEnvelopeInt64);
    }

    [GeneratedRegex("^task_[A-Za-z0-9]{1,64}$")]
    private static partial Regex TaskIdPattern();
}
