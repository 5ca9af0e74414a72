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
}
