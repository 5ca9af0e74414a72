using System.Diagnostics;
using System.Text.Json.Nodes;
using Reelgate.Server.Tests.Infrastructure;
using Reelgate.Server.Tests.Media;
using Reelgate.Testing;

namespace Reelgate.Server.Tests.Clients;

/// <summary>
/// OpenAI's official npm SDK (<c>openai</c> 7.55.0, pinned in tests/npm), unchanged, with
/// <c>baseURL</c> = the server + <c>/v1</c> and a Reelgate key: tests/npm/openai-videos.mjs
/// creates, polls, downloads (video, thumbnail, sprite sheet), remixes, creates from an image
/// file, lists, deletes and meets each error class; it reports the balance after every step,
/// which this test checks against the catalog's prices, then the ledger audit.
/// </summary>
public sealed class OpenAiVideosSdkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenAiNpmSdk_CreatesPollsDownloadsRemixesListsAndDeletes_OnTheSameKeysAndCredits()
    {
        var modules = await NpmClients.NodeModulesAsync();
        var output = Directory.CreateTempSubdirectory("reelgate-openai-npm-");
        try
        {
            await using var server = await ReelgateTestServer.StartAsync();
            var (accountId, _, key) = await server.CreateAccountAsync(10_000);
            var (_, _, poorKey) = await server.CreateAccountAsync(0);
            async Task<string> KeyAsync(string fields)
            {
                using var response = await server.Admin.PostAsync($"/api/admin/accounts/{accountId}/keys", new StringContent(fields, System.Text.Encoding.UTF8, "application/json"), Ct);
                return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["data"]!["apiKey"]!;
            }

            var limitedKey = await KeyAsync("""{"tier":"unlimited","creditLimit":1,"creditPeriod":"day"}""");
            var fencedKey = await KeyAsync("""{"tier":"unlimited","allowedIps":["203.0.113.0/24"]}""");
            var image = Path.Combine(output.FullName, "first.png");
            await File.WriteAllBytesAsync(image, await TestMedia.PngAsync(640, 480), Ct);

            var steps = (await RunScriptAsync(modules, new()
            {
                ["BASE_URL"] = server.BaseAddress.AbsoluteUri.TrimEnd('/'),
                ["API_KEY"] = key,
                ["POOR_KEY"] = poorKey,
                ["LIMITED_KEY"] = limitedKey,
                ["FENCED_KEY"] = fencedKey,
                ["IMAGE"] = image,
                ["OUT"] = output.FullName,
            }))["steps"]!.AsArray().ToDictionary(s => (string)s!["name"]!, s => s!.AsObject());

            // Create: a Video object whose id is a task id; 480p x 4 s = 80 credits reserved at once.
            var created = steps["create"]["video"]!;
            var id = (string)created["id"]!;
            Assert.StartsWith("task_", id, StringComparison.Ordinal);
            Assert.Equal(("video", "seedance-2.0-text-to-video", "4", "864x496"), ((string?)created["object"], (string?)created["model"], (string?)created["seconds"], (string?)created["size"]));
            Assert.Contains((string?)created["status"], new[] { "queued", "in_progress" });
            Assert.Equal(10_000 - 80, (long)steps["create"]["balance"]!);

            // Polled with retrieve to completed; the same task through recordInfo.
            var done = steps["completed"]["video"]!;
            Assert.Equal("completed", (string?)done["status"]);
            Assert.Equal(100, (int)done["progress"]!);
            Assert.True((long)done["completed_at"]! >= (long)done["created_at"]!);
            Assert.NotNull(done["expires_at"]);
            using var rest = server.NewClient(key);
            Assert.Equal("success", (string?)(await rest.RecordInfoAsync(id))["state"]);

            // downloadContent: an MP4 at the requested size and seconds, a JPEG poster and sprite sheet.
            var download = steps["download"];
            Assert.Equal("video/mp4", (string?)download["video"]!["contentType"]);
            Assert.NotNull((string?)download["video"]!["etag"]);
            var probe = await Ffprobe.ProbeAsync(Path.Combine(output.FullName, "video.mp4"));
            var stream = Ffprobe.Stream(probe, "video")!;
            Assert.Equal((864, 496), ((int)stream["width"]!, (int)stream["height"]!));
            Assert.Equal(4.0, double.Parse((string)probe["format"]!["duration"]!, System.Globalization.CultureInfo.InvariantCulture), 1);
            Assert.Equal("image/jpeg", (string?)download["thumbnail"]!["contentType"]);
            Assert.Equal("image/jpeg", (string?)download["spritesheet"]!["contentType"]);
            var sprites = Ffprobe.Stream(await Ffprobe.ProbeAsync(Path.Combine(output.FullName, "sprites.jpg")), "video")!;
            Assert.Equal(5 * 256, (int)sprites["width"]!);

            // Idempotency-Key: the same body twice is one video and one charge.
            Assert.Equal((string?)steps["idempotent"]["first"], (string?)steps["idempotent"]["again"]);
            Assert.Equal(10_000 - 160, (long)steps["idempotent"]["balance"]!);

            // Remix: a new task with the source's inputs and the new prompt, billed as new.
            var remix = steps["remix"]["video"]!;
            Assert.NotEqual(id, (string?)remix["id"]);
            Assert.Equal(("the paper boat at night", "864x496", "4"), ((string?)remix["prompt"], (string?)remix["size"], (string?)remix["seconds"]));
            Assert.Equal(10_000 - 240, (long)steps["remix"]["balance"]!);
            Assert.Equal("completed", (string?)steps["remix_completed"]["video"]!["status"]);

            // An input_reference file: stored as an upload, the image-to-video model by default.
            var fromImage = steps["image_create"]["video"]!;
            Assert.Equal("seedance-2.0-image-to-video", (string?)fromImage["model"]);
            Assert.Equal(10_000 - 320, (long)steps["image_create"]["balance"]!);
            Assert.Equal("completed", (string?)steps["image_completed"]["video"]!["status"]);
            var imageProbe = Ffprobe.Stream(await Ffprobe.ProbeAsync(Path.Combine(output.FullName, "image.mp4")), "video")!;
            Assert.Equal((864, 496), ((int)imageProbe["width"]!, (int)imageProbe["height"]!));
            var param = JsonNode.Parse((string)(await rest.RecordInfoAsync((string)fromImage["id"]!))["param"]!)!;
            Assert.Contains("/files/file_", (string?)param["input"]!["image_urls"]![0], StringComparison.Ordinal);

            // list: newest first, has_more, and the SDK's auto-pagination walks every video (5 tasks).
            var list = steps["list"];
            Assert.Equal(2, list["first"]!.AsArray().Count);
            Assert.True((bool)list["has_more"]!);
            Assert.Equal(4, list["all"]!.AsArray().Count);
            Assert.Equal((string?)fromImage["id"], (string?)list["all"]![0]);

            // delete of a completed video: its files go (content 404), the record and charge stay.
            var deleted = steps["delete"];
            Assert.Equal((id, "video.deleted", true), ((string?)deleted["deleted"]!["id"], (string?)deleted["deleted"]!["object"], (bool)deleted["deleted"]!["deleted"]!));
            Assert.Equal("NotFoundError", (string?)deleted["after"]!["error"]);
            Assert.Equal("completed", (string?)deleted["retrieved"]!["status"]);
            Assert.Equal(10_000 - 320, (long)deleted["balance"]!);

            // The SDK's error classes.
            Assert.Equal(("BadRequestError", 400, "size"), ((string?)steps["bad_size"]["error"], (int)steps["bad_size"]["status"]!, (string?)steps["bad_size"]["param"]));
            Assert.Equal(("BadRequestError", "seconds"), ((string?)steps["bad_seconds"]["error"], (string?)steps["bad_seconds"]["param"]));
            Assert.Contains("whole number from 4 to 15", (string?)steps["bad_seconds"]["message"], StringComparison.Ordinal);
            Assert.Equal(("NotFoundError", 404), ((string?)steps["unknown_id"]["error"], (int)steps["unknown_id"]["status"]!));
            Assert.Equal(("AuthenticationError", 401, "invalid_api_key"), ((string?)steps["bad_key"]["error"], (int)steps["bad_key"]["status"]!, (string?)steps["bad_key"]["code"]));
            var poor = steps["no_credits"];
            Assert.Equal(("RateLimitError", 429, "insufficient_quota", "insufficient_quota"), ((string?)poor["error"], (int)poor["status"]!, (string?)poor["code"], (string?)poor["type"]));
            Assert.True((long)poor["ms"]! < 5_000, $"the SDK retried a refusal that x-should-retry: false marks final ({poor["ms"]} ms)");
            Assert.Equal(10_000 - 320, (long)poor["balance"]!);

            // The key's own limits, as the SDK's own error classes: a spend limit is OpenAI's
            // insufficient_quota (final, not retried), an address off the allowlist a 401.
            var limited = steps["key_limit"];
            Assert.Equal(("RateLimitError", 429, "insufficient_quota"), ((string?)limited["error"], (int)limited["status"]!, (string?)limited["code"]));
            Assert.Contains("key credit limit reached", (string?)limited["message"], StringComparison.Ordinal);
            Assert.True((long)limited["ms"]! < 5_000, $"the SDK retried a final refusal ({limited["ms"]} ms)");
            Assert.Equal(10_000 - 320, (long)limited["balance"]!); // the account is untouched
            var fenced = steps["fenced"];
            Assert.Equal(("AuthenticationError", 401, "invalid_api_key"), ((string?)fenced["error"], (int)fenced["status"]!, (string?)fenced["code"]));
            Assert.Contains("not allowed from 127.0.0.1", (string?)fenced["message"], StringComparison.Ordinal);

            using var admin = await server.Admin.GetAsync($"/api/admin/accounts/{accountId}", Ct);
            Assert.Equal(10_000 - 320, (long)JsonNode.Parse(await admin.Content.ReadAsStringAsync(Ct))!["data"]!["credits"]!);
            await server.AssertAuditOkAsync();
            Assert.Empty(server.ContractViolations);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static async Task<JsonObject> RunScriptAsync(string modules, Dictionary<string, string> environment)
    {
        var script = Path.Combine(Path.GetDirectoryName(modules)!, "openai-videos.mjs");
        var start = new ProcessStartInfo("node", [script]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(modules)! };
        foreach (var (k, v) in environment)
        {
            start.Environment[k] = v;
        }

        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync(Ct);
        var stderr = node.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(8));
        await node.WaitForExitAsync(timeout.Token);
        Assert.True(node.ExitCode == 0, $"node exited {node.ExitCode}: {await stderr}\n{await stdout}");
        return JsonNode.Parse((await stdout).Trim().Split('\n')[^1])!.AsObject();
    }
}
