using Microsoft.Playwright;

namespace Reelgate.Web.Tests;

/// <summary>Debian's Chromium driven by Playwright (never a downloaded browser), and the screenshots folder.</summary>
public static class Browser
{
    public const string Chromium = "/usr/bin/chromium";

    public static string Screenshots { get; } = Directory.CreateDirectory(Path.Combine(WebServer.RepoRoot, "artifacts", "screenshots")).FullName;

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        Assert.True(File.Exists(Chromium), "Debian chromium is not installed (scripts/install-deps.sh chromium; make test installs it)");
        // What a person sees is polled; 5 s (Playwright's default) is short for a password hash
        // while the whole suite shares 2 cores. A real failure still fails, only later.
        Assertions.SetDefaultExpectTimeout(30_000);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--autoplay-policy=no-user-gesture-required"],
        });
        return (playwright, browser);
    }

    /// <summary>Saves the page at desktop (1280 px) and phone (375 px) width.</summary>
    public static async Task ShootAsync(IPage page, string name)
    {
        await page.SetViewportSizeAsync(1280, 800);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, $"{name}-desktop.png"), FullPage = true });
        await page.SetViewportSizeAsync(375, 800);
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 375, $"{name}: the page is {width} px wide at a 375 px phone width (horizontal scrolling)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, $"{name}-phone.png"), FullPage = true });
        await page.SetViewportSizeAsync(1280, 800);
    }

    /// <summary>
    /// Registers an account in the page and waits, by what a person sees, for the Overview.
    /// Registration hashes the password and writes the Identity tables; under the whole suite on
    /// 2 cores the redirect has taken longer than Playwright's default 30 s, and waiting for the
    /// URL's "load" state once missed the event altogether, so this polls the URL and the heading.
    /// </summary>
    public static async Task SignUpAsync(IPage page, Uri server, string email, string password)
    {
        await page.GotoAsync(new Uri(server, "account/register").ToString());
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.FillAsync("#confirm", password);
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page).ToHaveURLAsync(server.ToString(), new PageAssertionsToHaveURLOptions { Timeout = 90_000 });
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Overview", new LocatorAssertionsToHaveTextOptions { Timeout = 90_000 });
    }

    /// <summary>What a person would see go wrong in the page: script errors, console errors and any response of 400 or above, collected as they happen.</summary>
    public static List<string> WatchErrors(IPage page)
    {
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.Response += (_, r) => { if (r.Status >= 400) errors.Add($"{r.Status} {r.Url}"); };
        return errors;
    }
}
