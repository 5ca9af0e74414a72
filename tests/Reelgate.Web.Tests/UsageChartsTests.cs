using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Reelgate.Web.Tests;

/// <summary>
/// Issue 23, items 4 and 5 in the web app: the Overview's spend per day and split by model and
/// key (server-drawn SVG with the numbers in tables), the Credits page's CSV download, and the
/// same for an admin viewing the account; every number checked against <c>GET /api/v1/usage</c>.
/// </summary>
public sealed class UsageChartsTests
{
    private const string Password = "Correct-Horse-9";
    private const string Email = "una@example.com";
    private const string TextModel = "seedance-2.0-text-to-video";
    private const string FastModel = "bytedance/seedance-2-fast";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Overview_Charts_EqualTheUsageApi_Credits_DownloadsTheApisCsv_AdminSeesTheSame()
    {
        // An api node generates nothing, so a task can be cancelled (refunded) before a worker
        // exists; then a worker node on the same data directory finishes the rest.
        var data = Directory.CreateTempSubdirectory("reelgate-usage-web-").FullName;
        try
        {
            var fast = new Dictionary<string, string> { ["Reelgate__FallbackPoll"] = "00:00:00.200" };
            await using var server = await WebServer.StartAsync(fast, data, role: "api");
            var (pw, browser) = await Browser.LaunchAsync();
            using var _ = pw;
            await using var __ = browser;
            var page = await (await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, AcceptDownloads = true })).NewPageAsync();
            var errors = Browser.WatchErrors(page);

            await Browser.SignUpAsync(page, server.BaseAddress, Email, Password);
            await Assertions.Expect(page.Locator("#usage-empty")).ToContainTextAsync("No usage");
            Assert.Equal(0, await page.Locator("#chart-days").CountAsync());
            var alpha = await CreateKeyAsync(page, server.BaseAddress, "alpha");
            var beta = await CreateKeyAsync(page, server.BaseAddress, "beta");
            using var alphaApi = server.Client(alpha);
            using var betaApi = server.Client(beta);

            var models = JsonNode.Parse(await alphaApi.GetStringAsync("api/v1/models", Ct))!["data"]!.AsArray();
            long Price(string model, int seconds) => (long)models.Single(m => (string?)m!["id"] == model)!["pricing"]!["ratesPerSecond"]!["480p"]! * seconds;

            string[] done =
            [
                await CreateAsync(alphaApi, TextModel, 4),
                await CreateAsync(alphaApi, TextModel, 5),
                await CreateAsync(betaApi, FastModel, 4),
            ];
            var cancelled = await CreateAsync(betaApi, TextModel, 6);
            await WebServer.PostJsonAsync(betaApi, "api/v1/jobs/cancel", $$"""{"taskId":"{{cancelled}}"}""");
            await using (await WebServer.StartAsync(fast, data, role: "worker"))
            {
                foreach (var id in done)
                {
                    Assert.Equal("success", await WaitForEndAsync(alphaApi, id));
                }
            }

            var balance = (long)JsonNode.Parse(await alphaApi.GetStringAsync("api/v1/chat/credit", Ct))!["data"]!;
            var spent = Price(TextModel, 4) + Price(TextModel, 5) + Price(FastModel, 4);
            Assert.Equal(WebServer.SignupCredits - spent, balance); // the cancelled task was charged and refunded in full

            // Overview: three charts with their labels, the numbers in tables equal to the API's.
            await page.GotoAsync(server.BaseAddress.ToString());
            var days = page.Locator("svg#chart-days[role=img]");
            await Assertions.Expect(days).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex(
                $"^Bar chart: net credits spent per UTC day .*{Fmt(spent)} in all"));
            var dayRows = JsonNode.Parse(await alphaApi.GetStringAsync("api/v1/usage?groupBy=day", Ct))!["data"]!["rows"]!.AsArray();
            Assert.Equal(dayRows.Count, await days.Locator("rect.bar").CountAsync()); // a bar per day with usage
            await Assertions.Expect(page.Locator("#chart-model")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex(
                $"^Bar chart: net credits by model.*{System.Text.RegularExpressions.Regex.Escape(TextModel)} {Fmt(Price(TextModel, 9))}"));
            await Assertions.Expect(page.Locator("#chart-key")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex(
                $"^Bar chart: net credits by key.*alpha \\(sk-[^)]*\\) {Fmt(Price(TextModel, 9))}"));
            await Assertions.Expect(page.Locator("#usage-total")).ToHaveTextAsync(Fmt(spent));
            var usage = await TablesEqualTheApiAsync(page, alphaApi);
            Assert.Equal(Price(TextModel, 6), usage.Refunded); // the cancel shows as a refund
            var html = await page.ContentAsync();
            Assert.DoesNotContain(alpha, html, StringComparison.Ordinal); // keys by name and prefix, never the secret
            Assert.DoesNotContain(beta, html, StringComparison.Ordinal);
            await Browser.ShootAsync(page, "usage-overview");
            await FitsAt375Async(page);

            // Credits: the download is the API's CSV, per grouping.
            await page.ClickAsync("nav >> text=Credits");
            await Assertions.Expect(page.Locator("#usage-download")).ToBeVisibleAsync();
            await Browser.ShootAsync(page, "usage-credits");
            foreach (var groupBy in new[] { "day", "model", "key" })
            {
                await DownloadEqualsTheApisAsync(page, alphaApi, groupBy);
            }

            // Only a signed-in login downloads, and only an admin another account's usage.
            using (var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress })
            {
                var refused = await anonymous.GetAsync("credits/usage.csv", Ct);
                Assert.Equal(HttpStatusCode.Found, refused.StatusCode);
                Assert.Contains("/account/login", refused.Headers.Location!.ToString(), StringComparison.Ordinal);
            }

            // The admin sees the same charts and numbers for the account, and downloads the same CSV.
            var root = await (await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 }, AcceptDownloads = true })).NewPageAsync();
            var rootErrors = Browser.WatchErrors(root);
            await Browser.SignUpAsync(root, server.BaseAddress, WebServer.AdminEmail, Password);
            var own = await root.Context.APIRequest.GetAsync(new Uri(server.BaseAddress, "credits/usage.csv").ToString());
            Assert.Equal("group,charged,refunded,net,tasks,success,fail,waiting\r\n", await own.TextAsync()); // the admin's own account: nothing of una's
            await root.GotoAsync(new Uri(server.BaseAddress, $"admin?q={Uri.EscapeDataString(Email)}").ToString());
            var accountId = (await root.InnerTextAsync("td a.mono")).Trim();
            var denied = await page.Context.APIRequest.GetAsync(new Uri(server.BaseAddress, $"admin/accounts/{accountId}/usage.csv").ToString(), new APIRequestContextOptions { MaxRedirects = 0 });
            Assert.Equal(302, denied.Status);
            Assert.Contains("/account/denied", denied.Headers["location"], StringComparison.Ordinal);

            await root.ClickAsync($"td a.mono:has-text('{accountId}')");
            await Assertions.Expect(root.Locator("svg#chart-days")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex($"{Fmt(spent)} in all"));
            await Assertions.Expect(root.Locator("#chart-key")).ToContainTextAsync("beta");
            Assert.Equal(usage, await TablesEqualTheApiAsync(root, alphaApi));
            await Browser.ShootAsync(root, "usage-admin-account");
            await FitsAt375Async(root);
            await DownloadEqualsTheApisAsync(root, alphaApi, "key");

            Assert.True(errors.Count == 0, "browser errors: " + string.Join(" | ", errors));
            Assert.True(rootErrors.Count == 0, "admin's browser errors: " + string.Join(" | ", rootErrors));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>At a 375 px phone width no chart or table sticks out of its card (the page's own width is checked by ShootAsync).</summary>
    private static async Task FitsAt375Async(IPage page)
    {
        await page.SetViewportSizeAsync(375, 800);
        var overflowing = await page.EvaluateAsync<string[]>(
            """
            () => [...document.querySelectorAll('.card.usage')].flatMap(card => {
              const edge = card.getBoundingClientRect().right - parseFloat(getComputedStyle(card).paddingRight);
              return [...card.querySelectorAll('table, svg, .barlist, p')]
                .filter(e => e.getBoundingClientRect().right > edge + 0.5)
                .map(e => `${card.querySelector('h2').textContent}: ${e.tagName} ${e.id} ends at ${Math.round(e.getBoundingClientRect().right)} > ${Math.round(edge)}`);
            })
            """);
        await page.SetViewportSizeAsync(1280, 800);
        Assert.True(overflowing.Length == 0, "sticks out of its card at 375 px: " + string.Join(" | ", overflowing));
    }

    private static string Fmt(long credits) => credits.ToString("N0", CultureInfo.InvariantCulture);

    private static async Task<string> CreateKeyAsync(IPage page, Uri server, string name)
    {
        await page.GotoAsync(new Uri(server, "keys").ToString());
        await page.FillAsync("#key-name", name);
        await page.SelectOptionAsync("#key-tier", "standard");
        await page.ClickAsync("button:has-text('Create API Key')");
        var key = await page.InputValueAsync("#new-key");
        Assert.StartsWith("sk-", key, StringComparison.Ordinal);
        return key;
    }

    private static async Task<string> CreateAsync(HttpClient api, string model, int seconds) =>
        (string)(await WebServer.PostJsonAsync(api, "api/v1/jobs/createTask",
            $$$"""{"model":"{{{model}}}","input":{"prompt":"usage chart {{{seconds}}} s","resolution":"480p","duration":{{{seconds}}}}}"""))["taskId"]!;

    private static async Task<string> WaitForEndAsync(HttpClient api, string id)
    {
        for (var i = 0; i < 600; i++)
        {
            var state = (string)JsonNode.Parse(await api.GetStringAsync($"api/v1/jobs/recordInfo?taskId={id}", Ct))!["data"]!["state"]!;
            if (state != "waiting")
            {
                return state;
            }

            await Task.Delay(250, Ct);
        }

        return "waiting";
    }

    /// <summary>Each table (day, model, key) holds exactly the API's rows with its numbers, and the total; returns the API's total.</summary>
    private static async Task<(long Charged, long Refunded, long Net)> TablesEqualTheApiAsync(IPage page, HttpClient api)
    {
        (long, long, long) total = default;
        foreach (var groupBy in new[] { "day", "model", "key" })
        {
            var report = JsonNode.Parse(await api.GetStringAsync($"api/v1/usage?groupBy={groupBy}", Ct))!["data"]!;
            var rows = report["rows"]!.AsArray();
            Assert.NotEmpty(rows);
            var table = page.Locator($"table#usage-by-{groupBy}");
            await Assertions.Expect(table.Locator("tbody tr")).ToHaveCountAsync(rows.Count);
            foreach (var row in rows)
            {
                var group = (string)row!["group"]!;
                // Days and models by their text; keys by the key id the row names (the text is the key's name and prefix).
                var tr = groupBy == "key"
                    ? table.Locator($"tbody tr:has(th[data-group='{group}'])")
                    : table.Locator("tbody tr").Filter(new LocatorFilterOptions { Has = page.Locator("th", new PageLocatorOptions { HasTextString = group }) });
                await Assertions.Expect(tr).ToHaveCountAsync(1);
                var cells = await tr.Locator("td").AllInnerTextsAsync();
                Assert.Equal(new[] { Fmt((long)row["charged"]!), Fmt((long)row["refunded"]!), Fmt((long)row["net"]!), ((int)row["tasks"]!).ToString(CultureInfo.InvariantCulture) }, cells);
            }

            var t = report["total"]!;
            total = ((long)t["charged"]!, (long)t["refunded"]!, (long)t["net"]!);
        }

        var foot = await page.Locator("table#usage-by-day tfoot td").AllInnerTextsAsync();
        Assert.Equal(new[] { Fmt(total.Item1), Fmt(total.Item2), Fmt(total.Item3) }, foot.Take(3));
        return total;
    }

    /// <summary>Picks the grouping on the page's CSV form, downloads, and compares with the API's CSV of the same query.</summary>
    private static async Task DownloadEqualsTheApisAsync(IPage page, HttpClient api, string groupBy)
    {
        await page.SelectOptionAsync("#usage-group", groupBy);
        var from = await page.InputValueAsync("#usage-from");
        var to = await page.InputValueAsync("#usage-to");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#usage-download"));
        Assert.Equal($"usage-{from}-{to}-{groupBy}.csv", download.SuggestedFilename);
        var text = await File.ReadAllTextAsync((await download.PathAsync())!, Ct);
        var expected = await api.GetStringAsync($"api/v1/usage?groupBy={groupBy}&from={from}&to={to}&format=csv", Ct);
        Assert.Equal(expected, text);
        Assert.Contains("\r\n", text, StringComparison.Ordinal);
        Assert.True(text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length > 1, $"the {groupBy} CSV has no rows: {text}");
    }
}
