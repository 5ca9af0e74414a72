using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Reelgate.Web.Tests;

/// <summary>The web app in Debian Chromium against the real server process.</summary>
public sealed class WebAppTests
{
    private const string Password = "Correct-Horse-9";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task SignUpAsync(IPage page, Uri server, string email) => Browser.SignUpAsync(page, server, email, Password);

    private static async Task SignOutAsync(IPage page)
    {
        // Wait for the navigation from before the click, so a fast redirect cannot be missed.
        var arrived = page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/account/login"), new PageWaitForURLOptions { Timeout = 60_000 });
        await page.ClickAsync("button:has-text('Sign out')");
        await arrived;
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Sign in");
    }

    private static HttpClient Api(Uri server, string key)
    {
        var http = new HttpClient { BaseAddress = server };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    [Fact]
    public async Task SignUp_Key_Playground_Video_Balance_Tasks_Revoke_Isolation_Admin()
    {
        await using var server = await WebServer.StartAsync();
        var (pw, browser) = await Browser.LaunchAsync();
        using var _ = pw;
        await using var __ = browser;
        var ada = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await ada.NewPageAsync();
        var pageErrors = Browser.WatchErrors(page);

        await page.GotoAsync(new Uri(server.BaseAddress, "account/login").ToString());
        await Browser.ShootAsync(page, "01-login");
        await page.GotoAsync(new Uri(server.BaseAddress, "account/register").ToString());
        await Browser.ShootAsync(page, "02-register");

        // Sign up: the new account holds the configured starting credits.
        await SignUpAsync(page, server.BaseAddress, "ada@example.com");
        await Assertions.Expect(page.Locator("#balance")).ToHaveTextAsync("1,000");
        await Browser.ShootAsync(page, "03-overview-empty");

        // API Keys: create, shown once; the key works against /api/v1.
        await page.ClickAsync("text=API Keys");
        await page.FillAsync("#key-name", "ci");
        await page.SelectOptionAsync("#key-tier", "basic");
        await page.ClickAsync("button:has-text('Create API Key')");
        var key = await page.InputValueAsync("#new-key");
        Assert.StartsWith("sk-", key, StringComparison.Ordinal);
        await Browser.ShootAsync(page, "04-keys-created");
        using var api = Api(server.BaseAddress, key);
        var credit = JsonNode.Parse(await api.GetStringAsync("api/v1/chat/credit", Ct))!;
        Assert.Equal(WebServer.SignupCredits, (long)credit["data"]!);

        // The catalog's price of a 480p 4 s task without audio.
        var models = JsonNode.Parse(await api.GetStringAsync("api/v1/models", Ct))!["data"]!.AsArray();
        var price = (long)models[0]!["pricing"]!["ratesPerSecond"]!["480p"]! * 4;

        // Playground: form from the catalog, live cost, generate, live progress, the video plays.
        await page.ClickAsync("text=Playground");
        await page.WaitForSelectorAsync("#f-prompt");
        await page.WaitForSelectorAsync("[data-interactive=true]"); // the circuit is up: inputs now reach the component
        await page.FillAsync("#f-prompt", "a paper boat drifting on a calm lake at dawn");
        await page.SelectOptionAsync("#f-resolution", "480p");
        await page.FillAsync("#f-duration", "4");
        await Assertions.Expect(page.Locator("#cost")).ToHaveTextAsync(price.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        await page.ClickAsync("button:has-text('Generate')");
        await Assertions.Expect(page.Locator("#task-state")).ToHaveTextAsync("success", new LocatorAssertionsToHaveTextOptions { Timeout = 90_000 });
        var taskId = (await page.InnerTextAsync("#task-link")).Trim();
        await page.WaitForSelectorAsync("#result-video");
        await page.EvalOnSelectorAsync("#result-video", "v => v.play()");
        await page.WaitForFunctionAsync("() => document.querySelector('#result-video').currentTime > 0.5", null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        await Browser.ShootAsync(page, "05-playground-done");

        // Same balance for web and API: decreased by exactly the catalog price.
        credit = JsonNode.Parse(await api.GetStringAsync("api/v1/chat/credit", Ct))!;
        Assert.Equal(WebServer.SignupCredits - price, (long)credit["data"]!);
        var info = JsonNode.Parse(await api.GetStringAsync($"api/v1/jobs/recordInfo?taskId={taskId}", Ct))!["data"]!;
        Assert.Equal("success", (string?)info["state"]); // a web task is an ordinary task, visible to the API

        // An API-created task appears in the web app too.
        var created = JsonNode.Parse(await (await api.PostAsync("api/v1/jobs/createTask", new StringContent(
            """{"model":"seedance-2.0-text-to-video","input":{"prompt":"made by the api","resolution":"480p","duration":4}}""",
            System.Text.Encoding.UTF8, "application/json"), Ct)).Content.ReadAsStringAsync(Ct))!;
        var apiTask = (string)created["data"]!["taskId"]!;

        // Tasks: the web task with its poster thumbnail, and the API task.
        await page.ClickAsync("text=Tasks");
        await page.WaitForSelectorAsync($"a:has-text('{taskId}')");
        await Assertions.Expect(page.Locator($"a:has-text('{apiTask}')")).ToBeVisibleAsync();
        // The poster loads as a person would wait for it (a busy machine may take a moment), not in the same instant the row appears.
        var thumbLoaded = await page.WaitForFunctionAsync(
            "sel => { const img = document.querySelector(sel); return !!img && img.complete && img.naturalWidth > 0; }",
            $"a[href='tasks/{taskId}'] img",
            new PageWaitForFunctionOptions { Timeout = 15_000 });
        Assert.True(await thumbLoaded.JsonValueAsync<bool>(), "the task's thumbnail did not load");
        await Browser.ShootAsync(page, "06-tasks");
        await page.ClickAsync($"a.mono:has-text('{taskId}')");
        await Assertions.Expect(page.Locator("pre.param")).ToContainTextAsync("a paper boat");
        await page.WaitForFunctionAsync("() => document.querySelector('.detail video')?.readyState >= 1");
        await Browser.ShootAsync(page, "07-task-detail");
        await page.ClickAsync("text=Credits");
        await Assertions.Expect(page.Locator("table.ledger")).ToContainTextAsync("charge");
        await Browser.ShootAsync(page, "08-credits");
        await page.ClickAsync("text=Overview");
        await Assertions.Expect(page.Locator("#spent")).ToHaveTextAsync((price * 2).ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        await Browser.ShootAsync(page, "09-overview");

        // Revoke with confirmation: the key is refused at once.
        await page.ClickAsync("text=API Keys");
        await page.ClickAsync("a[aria-label='Revoke ci']");
        await Assertions.Expect(page.Locator("#confirm-title")).ToContainTextAsync("Revoke ci");
        await Browser.ShootAsync(page, "10-keys-revoke-confirm");
        await page.ClickAsync("button:has-text('Revoke key')");
        await Assertions.Expect(page.Locator("table.keys")).ToContainTextAsync("revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("api/v1/chat/credit", Ct)).StatusCode);

        // Another user cannot see ada's task, and is not an admin.
        var bobContext = await browser.NewContextAsync();
        var bob = await bobContext.NewPageAsync();
        await SignUpAsync(bob, server.BaseAddress, "bob@example.com");
        await bob.GotoAsync(new Uri(server.BaseAddress, $"tasks/{taskId}").ToString());
        await Assertions.Expect(bob.Locator("h1")).ToHaveTextAsync("Task not found");
        await bob.GotoAsync(new Uri(server.BaseAddress, "tasks").ToString());
        Assert.DoesNotContain(taskId, await bob.ContentAsync(), StringComparison.Ordinal);
        await bob.GotoAsync(new Uri(server.BaseAddress, "admin").ToString());
        await Assertions.Expect(bob.Locator("h1")).ToHaveTextAsync("Not allowed");
        Assert.Equal(0, await bob.Locator("nav >> text=Admin").CountAsync());

        // Admin: audit, find ada, top up with a reason, disable bob.
        var rootContext = await browser.NewContextAsync();
        var root = await rootContext.NewPageAsync();
        await SignUpAsync(root, server.BaseAddress, WebServer.AdminEmail);
        await root.ClickAsync("nav >> text=Admin");
        await Assertions.Expect(root.Locator("#audit")).ToContainTextAsync("OK:");
        await Browser.ShootAsync(root, "11-admin");
        await root.FillAsync("#q", "ada@example.com");
        await root.ClickAsync("button:has-text('Search')");
        await root.ClickAsync("td a.mono");
        await root.FillAsync("#amount", "500");
        await root.FillAsync("#reason", "support credit");
        await root.ClickAsync("button:has-text('Apply')");
        await Assertions.Expect(root.Locator("#admin-balance")).ToHaveTextAsync((WebServer.SignupCredits - 2 * price + 500).ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        await Browser.ShootAsync(root, "12-admin-account");
        await page.ClickAsync("text=Credits");
        await Assertions.Expect(page.Locator("table.ledger")).ToContainTextAsync("support credit");

        await root.GotoAsync(new Uri(server.BaseAddress, "admin?q=bob%40example.com").ToString());
        await root.ClickAsync("td a.mono");
        await root.CheckAsync("input[name=Confirm]");
        await root.ClickAsync("button:has-text('Disable')");
        await Assertions.Expect(root.Locator("main")).ToContainTextAsync("Account disabled.");
        await bob.GotoAsync(server.BaseAddress.ToString());
        await Assertions.Expect(bob.Locator(".alert")).ToContainTextAsync("disabled");

        Assert.True(pageErrors.Count == 0, "browser errors: " + string.Join(" | ", pageErrors));
    }

    [Fact]
    public async Task PasswordReset_ByTheLoggedLink_AndLockout_AfterFiveFailures()
    {
        await using var server = await WebServer.StartAsync();
        var (pw, browser) = await Browser.LaunchAsync();
        using var _ = pw;
        await using var __ = browser;
        var page = await (await browser.NewContextAsync()).NewPageAsync();
        await SignUpAsync(page, server.BaseAddress, "cleo@example.com");
        await SignOutAsync(page);

        await page.GotoAsync(new Uri(server.BaseAddress, "account/forgot").ToString());
        await page.FillAsync("#email", "cleo@example.com");
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("reset link");
        string? link = null;
        for (var i = 0; i < 50 && link is null; i++)
        {
            link = server.Log.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"open (http\S+account/reset\S+)")).FirstOrDefault(m => m.Success)?.Groups[1].Value;
            await Task.Delay(100, Ct);
        }

        Assert.NotNull(link);
        await page.GotoAsync(link!);
        await page.FillAsync("#password", "Brand-New-Password-1");
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("changed");

        await page.GotoAsync(new Uri(server.BaseAddress, "account/login").ToString());
        await page.FillAsync("#email", "cleo@example.com");
        await page.FillAsync("#password", Password);
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator(".alert")).ToHaveTextAsync("Invalid email or password."); // the old password is gone
        await page.FillAsync("#email", "cleo@example.com");
        await page.FillAsync("#password", "Brand-New-Password-1");
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Overview");
        await SignOutAsync(page);

        for (var i = 0; i < 5; i++)
        {
            await page.FillAsync("#email", "cleo@example.com");
            await page.FillAsync("#password", "wrong-password-" + i);
            await page.ClickAsync("button[type=submit]");
            await page.WaitForSelectorAsync(".alert");
        }

        await page.FillAsync("#email", "cleo@example.com");
        await page.FillAsync("#password", "Brand-New-Password-1");
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator(".alert")).ToContainTextAsync("locked");
    }

    [Fact]
    public async Task Pages_RequireSignIn_AndSendSecurityHeaders()
    {
        await using var server = await WebServer.StartAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        foreach (var path in new[] { "", "keys", "playground", "tasks", "credits", "admin" })
        {
            var response = await http.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            Assert.Contains("/account/login", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        var login = await http.GetAsync("account/login", Ct);
        var csp = string.Join(";", login.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", login.Headers.GetValues("X-Content-Type-Options").Single());
        var html = await login.Content.ReadAsStringAsync(Ct);
        Assert.Contains("__RequestVerificationToken", html, StringComparison.Ordinal);

        // A form post without the antiforgery token is refused.
        var forged = await http.PostAsync("account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["Input.Email"] = "x@example.com", ["Input.Password"] = "whatever-123",
        }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }
}
