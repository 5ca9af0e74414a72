using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Reelgate.Web.Tests;

/// <summary>The API Keys page sets a key's limits for its owner, the API obeys them, the admin's account page shows them (issue 23), in Debian Chromium against the real server process.</summary>
public sealed class KeyLimitsWebTests
{
    private const string Password = "Correct-Horse-9";
    private const string Email = "kim@example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Owner_SetsLimitsOnTheKeysPage_TheApiObeysThem_AndTheAdminSeesThem()
    {
        await using var server = await WebServer.StartAsync(new Dictionary<string, string> { ["Reelgate__Workers"] = "0" });
        var (pw, browser) = await Browser.LaunchAsync();
        using var _ = pw;
        await using var __ = browser;
        var page = await (await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } })).NewPageAsync();
        var errors = Browser.WatchErrors(page);

        await Browser.SignUpAsync(page, server.BaseAddress, Email, Password);
        await page.ClickAsync("text=API Keys");
        await page.FillAsync("#key-name", "ci");
        await page.ClickAsync("button:has-text('Create API Key')");
        var key = await page.InputValueAsync("#new-key");
        using var api = server.Client(key);
        var balance = (long)JsonNode.Parse(await api.GetStringAsync("api/v1/chat/credit", Ct))!["data"]!;
        var row = page.Locator("table.keys tr", new PageLocatorOptions { HasText = "ci" });
        await Assertions.Expect(row.Locator("td.limits")).ToHaveTextAsync("none");

        // Limits: 1 credit a day (less than any task), this machine's addresses, an expiry.
        await page.ClickAsync("a[aria-label='Limits of ci']");
        await page.FillAsync("#credit-limit", "1");
        await page.SelectOptionAsync("#credit-period", "day");
        await page.FillAsync("#allowed-ips", "127.0.0.1\n::1");
        await page.FillAsync("#expires-at", "2099-01-01T00:00");
        await Browser.ShootAsync(page, "keys-limits-form");
        await page.ClickAsync("button:has-text('Save limits')");
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("Limits of “ci” saved");
        await Assertions.Expect(row.Locator("td.limits")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(
            "1 credit per day, 0 spent\\s*from 127.0.0.1/32, ::1/128\\s*expires 2099-01-01 00:00 UTC"));
        await Browser.ShootAsync(page, "keys-limits-list");

        var self = JsonNode.Parse(await api.GetStringAsync("api/v1/keys/self", Ct))!["data"]!;
        Assert.Equal((1L, "day", 1L, 4_070_908_800_000L), ((long)self["creditLimit"]!, (string)self["creditPeriod"]!, (long)self["room"]!, (long)self["expiresAt"]!));
        using (var created = await api.PostAsync("api/v1/jobs/createTask", new StringContent("""{"model":"seedance-2.0-text-to-video","input":{"prompt":"over the limit","resolution":"480p","duration":4}}""", System.Text.Encoding.UTF8, "application/json"), Ct))
        {
            Assert.Equal(HttpStatusCode.PaymentRequired, created.StatusCode);
            Assert.Equal("key credit limit reached", (string)JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!["msg"]!);
        }

        Assert.Equal(balance, (long)JsonNode.Parse(await api.GetStringAsync("api/v1/chat/credit", Ct))!["data"]!);

        // A bad address is refused with the reason, nothing saved; then an allowlist without this machine.
        await page.ClickAsync("a[aria-label='Limits of ci']");
        await page.FillAsync("#allowed-ips", "10.0.0.300");
        await page.ClickAsync("button:has-text('Save limits')");
        await Assertions.Expect(page.Locator(".alert")).ToContainTextAsync("'10.0.0.300', which is not an IPv4/IPv6 address or a CIDR range");
        Assert.Equal("10.0.0.300", await page.InputValueAsync("#allowed-ips")); // what was typed stays, to be corrected
        await page.FillAsync("#allowed-ips", "203.0.113.0/24");
        await page.ClickAsync("button:has-text('Save limits')");
        await Assertions.Expect(row.Locator("td.limits")).ToContainTextAsync("from 203.0.113.0/24");
        using (var refused = await api.GetAsync("api/v1/chat/credit", Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("authentication failed: API key not allowed from 127.0.0.1", (string)JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!["msg"]!);
        }

        Assert.True(errors.Count == 0, "browser errors: " + string.Join(" | ", errors));

        // The admin's account page lists the key with the same limits.
        var root = await (await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } })).NewPageAsync();
        await Browser.SignUpAsync(root, server.BaseAddress, WebServer.AdminEmail, Password);
        await root.GotoAsync(new Uri(server.BaseAddress, $"admin?q={Uri.EscapeDataString(Email)}").ToString());
        await root.ClickAsync("td a.mono");
        var adminRow = root.Locator("tr", new PageLocatorOptions { HasText = "ci" });
        await Assertions.Expect(adminRow.Locator("td.limits")).ToContainTextAsync("1 credit per day, 0 spent");
        await Assertions.Expect(adminRow.Locator("td.limits")).ToContainTextAsync("from 203.0.113.0/24");
        await Browser.ShootAsync(root, "keys-limits-admin");
    }
}
