using System.Diagnostics;
using Microsoft.Playwright;

namespace Reelgate.Web.Tests;

/// <summary>The Playground's upload picker and the task page's inputs in Debian Chromium, against the real server process (no workers: the task stays waiting).</summary>
public sealed class MediaPlaygroundTests
{
    private const string Password = "Correct-Horse-9";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Playground_PickingAPng_UploadsIt_ShowsItsThumbnailAndCost_AndTheTaskPageShowsTheInput()
    {
        await using var server = await WebServer.StartAsync(new Dictionary<string, string> { ["Reelgate__Workers"] = "0" });
        var (pw, browser) = await Browser.LaunchAsync();
        using var _ = pw;
        await using var __ = browser;
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        var pageErrors = Browser.WatchErrors(page);
        var png = await PngFileAsync();
        try
        {
            await Browser.SignUpAsync(page, server.BaseAddress, "grace@example.com", Password);

            await page.ClickAsync("text=Playground");
            await page.WaitForSelectorAsync("[data-interactive=true]");
            await page.SelectOptionAsync("#model", "seedance-2.0-image-to-video");
            await page.WaitForSelectorAsync("#file-image_urls");
            await page.FillAsync("#f-prompt", "a slow push in on the test card");
            await page.SelectOptionAsync("#f-resolution", "480p");
            await page.FillAsync("#f-duration", "4");

            await page.SetInputFilesAsync("#file-image_urls", png);

            var thumb = page.Locator(".thumb[data-field=image_urls] img");
            await Assertions.Expect(thumb).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });
            await page.WaitForFunctionAsync("() => { const i = document.querySelector('.thumb[data-field=image_urls] img'); return i && i.complete && i.naturalWidth === 640; }");
            Assert.Contains("/files/file_", await page.InputValueAsync("#f-image_urls"), StringComparison.Ordinal);
            await Assertions.Expect(page.Locator("#cost")).ToHaveTextAsync("80"); // 20 credits/s at 480p x 4 s
            await Browser.ShootAsync(page, "11-playground-upload");

            await page.ClickAsync("button:has-text('Generate')");
            await Assertions.Expect(page.Locator("#task-state")).ToHaveTextAsync("waiting");
            await page.ClickAsync("#task-link");
            await page.WaitForSelectorAsync(".inputs img");
            await Assertions.Expect(page.Locator(".inputs figcaption")).ToHaveTextAsync("image_urls[0]");
            await page.WaitForFunctionAsync("() => { const i = document.querySelector('.inputs img'); return i.complete && i.naturalWidth === 640; }");
            await Browser.ShootAsync(page, "12-task-inputs");
            Assert.Empty(pageErrors);
        }
        finally
        {
            File.Delete(png);
        }
    }

    /// <summary>A 640x480 PNG test card made by Debian's ffmpeg, in a temporary file.</summary>
    private static async Task<string> PngFileAsync()
    {
        var path = Path.Combine(Path.GetTempPath(), $"card-{Guid.NewGuid():N}.png");
        var start = new ProcessStartInfo("/usr/bin/ffmpeg") { RedirectStandardError = true };
        foreach (var arg in new[] { "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=640x480:d=1", "-frames:v", "1", path })
        {
            start.ArgumentList.Add(arg);
        }

        using var p = Process.Start(start)!;
        var error = await p.StandardError.ReadToEndAsync(Ct);
        await p.WaitForExitAsync(Ct);
        Assert.True(p.ExitCode == 0, error);
        return path;
    }
}
