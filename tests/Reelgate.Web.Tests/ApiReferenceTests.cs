using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Reelgate.Web.Tests;

/// <summary>
/// The API reference at <c>/docs</c> as a person sees it in Chromium: the operations are on the
/// page and nothing was refused (a 200 with a blank page is the failure this guards against:
/// the page's inline start-up script blocked by the Content-Security-Policy).
/// </summary>
public sealed class ApiReferenceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Docs_ShowsTheOperations_UnderTheStrictContentSecurityPolicy()
    {
        await using var server = await WebServer.StartAsync();
        var (pw, browser) = await Browser.LaunchAsync();
        using var _ = pw;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var problems = new List<string>();
        page.PageError += (_, e) => problems.Add("page error: " + e);
        page.Console += (_, m) => { if (m.Type == "error") problems.Add("console error: " + m.Text); };
        page.Response += (_, r) => { if (r.Status >= 400) problems.Add($"{r.Status} {r.Url}"); };
        page.RequestFailed += (_, r) => problems.Add($"request failed: {r.Url} {r.Failure}");

        var response = await page.GotoAsync(new Uri(server.BaseAddress, "docs/").ToString());
        Assert.NotNull(response);
        var csp = await response.HeaderValueAsync("content-security-policy");
        Assert.NotNull(csp);
        Assert.Matches(new Regex("script-src 'self' 'nonce-[A-Za-z0-9_-]{16,}';"), csp);
        Assert.DoesNotContain("unsafe-inline' ;", csp.Replace("style-src 'self' 'unsafe-inline';", "", StringComparison.Ordinal), StringComparison.Ordinal);

        // What a reader looks for: the title, the groups by name, and the operations by their
        // summaries once a group is opened, all from the served document.
        await Assertions.Expect(page.GetByText("Reelgate jobs API").First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 60_000 });
        foreach (var group in new[] { "Jobs", "Admin", "Events", "Catalog", "Health" })
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = group, Exact = true }).First).ToBeVisibleAsync();
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Open Group - Jobs" }).ClickAsync();
        foreach (var summary in new[] { "Create a generation task", "Read a task: state", "The account's credit balance" })
        {
            await Assertions.Expect(page.GetByText(summary).First).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });
        }

        await Assertions.Expect(page.GetByText("/api/v1/jobs/createTask").First).ToBeVisibleAsync();
        await Browser.ShootAsync(page, "docs-api-reference");
        Assert.True(problems.Count == 0, "the API reference page reported problems:\n" + string.Join("\n", problems));

        // The nonce is fresh per request, and other pages keep the plain policy.
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var again = string.Join(";", (await http.GetAsync("docs/", Ct)).Headers.GetValues("Content-Security-Policy"));
        Assert.NotEqual(csp, again);
        Assert.Contains("'nonce-", again, StringComparison.Ordinal);
        var login = string.Join(";", (await http.GetAsync("account/login", Ct)).Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", login, StringComparison.Ordinal);
    }
}
