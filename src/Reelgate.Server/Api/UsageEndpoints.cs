using Microsoft.OpenApi;
using Reelgate.Core.Accounts;
using Reelgate.Server.OpenApi;

namespace Reelgate.Server.Api;

/// <summary>
/// <c>GET /api/v1/usage?from=&amp;to=&amp;groupBy=day|model|key[&amp;format=csv]</c>: the caller's
/// account's charges, refunds, net and tasks by state over UTC days <c>from</c>..<c>to</c>
/// (inclusive, <c>yyyy-MM-dd</c>; default the last 30 days, at most 366), from the ledger
/// (<see cref="UsageReport"/>). Rate-limited as a read.
/// </summary>
public static class UsageEndpoints
{
    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        Describe(app.MapGroup("/api/v1").WithTags("Jobs").MapGet("/usage", (HttpContext http, IAccountStore accounts, TimeProvider time) =>
                RespondAsync(http, accounts, time, ApiCaller.Of(http).Key.AccountId))
            .AddEndpointFilter(ApiKeyFilter.Read)
            .Documented<UsageData>("The account's usage from the ledger: charged, refunded, net and tasks by state per UTC day, model or key (format=csv: the same rows as CSV)", 401, 422, 429, 500, 503));
        return app;
    }

    /// <summary>The same report of any account, for operators (<c>GET /api/admin/accounts/{accountId}/usage</c>; mapped in the admin group).</summary>
    public static RouteHandlerBuilder MapAdminUsage(this RouteGroupBuilder admin) =>
        Describe(admin.MapGet("/accounts/{accountId}/usage", async (string accountId, HttpContext http, IAccountStore accounts, TimeProvider time) =>
                await accounts.GetBalanceAsync(accountId, http.RequestAborted) is null
                    ? ApiResults.Error(404, "account not found")
                    : await RespondAsync(http, accounts, time, accountId))
            .Documented<UsageData>("An account's usage from the ledger, as GET /api/v1/usage answers its keys (format=csv: the same rows as CSV)", 401, 404, 422, 500));

    /// <summary>The query parameters and the CSV variant of the 200, for both routes.</summary>
    private static RouteHandlerBuilder Describe(RouteHandlerBuilder route) => route
        .AddOpenApiOperationTransformer((operation, _, _) =>
        {
            // format=csv: the same 200 as text/csv (a second Produces for 200 would replace the JSON).
            if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
            {
                response.Content ??= new Dictionary<string, OpenApiMediaType>();
                response.Content["text/csv"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
            }

            return Task.CompletedTask;
        })
        .QueryParameter("from", required: false, "First UTC day, yyyy-MM-dd (default: 29 days before to).", () => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date" })
        .QueryParameter("to", required: false, "Last UTC day, yyyy-MM-dd, inclusive (default: today); at most 366 days after from.", () => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date" })
        .QueryParameter("groupBy", required: false, "day (default), model or key.", () => new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. UsageReport.Groupings.Select(g => (System.Text.Json.Nodes.JsonNode)g)] })
        .QueryParameter("format", required: false, "json (default) or csv.", () => new OpenApiSchema { Type = JsonSchemaType.String, Enum = ["json", "csv"] });

    private static async Task<IResult> RespondAsync(HttpContext http, IAccountStore accounts, TimeProvider time, string accountId)
    {
        var q = http.Request.Query;
        string? One(string name) => q[name].Count switch { 0 => null, 1 => q[name][0], _ => "\u0000" };
        var format = One("format") ?? "json";
        var (range, groupBy, rows, error) = await ReportAsync(accounts, accountId, One("from"), One("to"), One("groupBy"), time, http.RequestAborted);
        if (error is null && format is not ("json" or "csv"))
        {
            error = "validation error: format must be json or csv";
        }

        if (error is not null)
        {
            return ApiResults.Error(422, error);
        }

        return format == "csv"
            ? Csv(http, range, groupBy, rows!)
            : ApiResults.Ok(Data(range, groupBy, rows!), ApiJsonContext.Web.ApiEnvelopeUsageData);
    }

    /// <summary>The report of an account for the written from, to and groupBy (null: the defaults), or the 422 message; the API, the admin API and MCP's get_usage share it.</summary>
    public static async Task<(UsageRange Range, string GroupBy, IReadOnlyList<UsageRow>? Rows, string? Error)> ReportAsync(
        IAccountStore accounts, string accountId, string? from, string? to, string? groupBy, TimeProvider time, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        if (!UsageRange.TryParse(from, to, today, out var range, out var error))
        {
            return (range, "", null, "validation error: " + error);
        }

        groupBy ??= "day";
        if (!UsageReport.Groupings.Contains(groupBy))
        {
            return (range, groupBy, null, "validation error: groupBy must be day, model or key");
        }

        var (entries, tasks) = await accounts.UsageAsync(accountId, range.Start, range.End, ct);
        return (range, groupBy, UsageReport.Build(entries, tasks, groupBy), null);
    }

    public static UsageData Data(UsageRange range, string groupBy, IReadOnlyList<UsageRow> rows) =>
        new(UsageRange.Text(range.From), UsageRange.Text(range.To), groupBy, rows, UsageReport.Total(rows));

    /// <summary>The rows as a CSV download (the API's <c>format=csv</c> and the web app's download).</summary>
    public static IResult Csv(HttpContext http, UsageRange range, string groupBy, IReadOnlyList<UsageRow> rows)
    {
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{range.CsvFileName(groupBy)}\"";
        return Results.Text(UsageReport.Csv(rows), "text/csv; charset=utf-8");
    }
}
