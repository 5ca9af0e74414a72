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
        app.MapGroup("/api/v1").WithTags("Jobs").MapGet("/usage", UsageAsync)
            .AddEndpointFilter(ApiKeyFilter.Read)
            .Documented<UsageData>("The account's usage from the ledger: charged, refunded, net and tasks by state per UTC day, model or key (format=csv: the same rows as CSV)", 401, 422, 429, 500, 503)
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
        return app;
    }

    private static async Task<IResult> UsageAsync(HttpContext http, IAccountStore accounts, TimeProvider time)
    {
        var key = ApiCaller.Of(http).Key;
        var q = http.Request.Query;
        string? One(string name) => q[name].Count switch { 0 => null, 1 => q[name][0], _ => "\u0000" };
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        if (!UsageRange.TryParse(One("from"), One("to"), today, out var range, out var error))
        {
            return ApiResults.Error(422, "validation error: " + error);
        }

        var groupBy = One("groupBy") ?? "day";
        if (!UsageReport.Groupings.Contains(groupBy))
        {
            return ApiResults.Error(422, "validation error: groupBy must be day, model or key");
        }

        var format = One("format") ?? "json";
        if (format is not ("json" or "csv"))
        {
            return ApiResults.Error(422, "validation error: format must be json or csv");
        }

        var (entries, tasks) = await accounts.UsageAsync(key.AccountId, range.Start, range.End, http.RequestAborted);
        var rows = UsageReport.Build(entries, tasks, groupBy);
        if (format == "csv")
        {
            return Csv(http, range, groupBy, rows);
        }

        return ApiResults.Ok(new UsageData(UsageRange.Text(range.From), UsageRange.Text(range.To), groupBy, rows, UsageReport.Total(rows)), ApiJsonContext.Web.ApiEnvelopeUsageData);
    }

    /// <summary>The rows as a CSV download (the API's <c>format=csv</c> and the web app's download).</summary>
    public static IResult Csv(HttpContext http, UsageRange range, string groupBy, IReadOnlyList<UsageRow> rows)
    {
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{range.CsvFileName(groupBy)}\"";
        return Results.Text(UsageReport.Csv(rows), "text/csv; charset=utf-8");
    }
}
