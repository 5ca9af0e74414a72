using Reelgate.Core.Accounts;
using Reelgate.Server.Api;

namespace Reelgate.Server.Web;

/// <summary>
/// The web app's usage CSV downloads (issue 23): <c>GET /credits/usage.csv</c> for the signed-in
/// login's own account, <c>GET /admin/accounts/{accountId}/usage.csv</c> for admins. Same query
/// (<c>from</c>, <c>to</c>, <c>groupBy</c>; empty fields take the defaults) and the same CSV as
/// <c>GET /api/v1/usage?format=csv</c>; the web cookie, not an API key, signs the request.
/// </summary>
public static class WebUsage
{
    public static IEndpointRouteBuilder MapWebUsage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/credits/usage.csv", (HttpContext http, IAccountStore accounts, TimeProvider time) =>
                WebAccounts.AccountId(http.User) is { } accountId
                    ? CsvAsync(http, accounts, time, accountId)
                    : Task.FromResult(Results.Text("This login has no account.", "text/plain; charset=utf-8", statusCode: 404)))
            .RequireAuthorization()
            .ExcludeFromDescription();
        app.MapGet("/admin/accounts/{accountId}/usage.csv", async (string accountId, HttpContext http, IAccountStore accounts, TimeProvider time) =>
                await accounts.GetAccountAsync(accountId, http.RequestAborted) is null
                    ? Results.Text("Account not found.", "text/plain; charset=utf-8", statusCode: 404)
                    : await CsvAsync(http, accounts, time, accountId))
            .RequireAuthorization(p => p.RequireRole(WebApp.AdminRole))
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> CsvAsync(HttpContext http, IAccountStore accounts, TimeProvider time, string accountId)
    {
        var q = http.Request.Query;
        // A form's empty date field means the default, as if it were not sent.
        string? One(string name) => q[name].Count switch { 0 => null, 1 => string.IsNullOrEmpty(q[name][0]) ? null : q[name][0], _ => "\u0000" };
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        if (!UsageRange.TryParse(One("from"), One("to"), today, out var range, out var error))
        {
            return Results.Text("Not downloaded: " + error + ".", "text/plain; charset=utf-8", statusCode: 422);
        }

        var groupBy = One("groupBy") ?? "day";
        if (!UsageReport.Groupings.Contains(groupBy))
        {
            return Results.Text("Not downloaded: groupBy must be day, model or key.", "text/plain; charset=utf-8", statusCode: 422);
        }

        var (entries, tasks) = await accounts.UsageAsync(accountId, range.Start, range.End, http.RequestAborted);
        return UsageEndpoints.Csv(http, range, groupBy, UsageReport.Build(entries, tasks, groupBy));
    }
}
