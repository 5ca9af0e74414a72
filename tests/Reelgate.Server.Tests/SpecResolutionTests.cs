using System.Net;
using System.Text.Json.Nodes;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests;

/// <summary>What the engine is asked to make: defaults, ratio over aspect_ratio, adaptive, seeds, PublicBaseUrl.</summary>
public sealed class SpecResolutionTests
{
    [Fact]
    public async Task Engine_GetsDefaultsPriorityAndAdaptiveResolvedFromCatalog()
    {
        ScriptedEngine? engine = null;
        await using var server = await ReelgateTestServer.StartAsync(
            new Dictionary<string, string?> { ["Reelgate:PublicBaseUrl"] = "https://cdn.example.test/videos" },
            s => engine = ScriptedEngine.AddTo(s));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var client = server.NewClient(key);

        async Task<(Reelgate.Core.Catalog.GenerationSpec Spec, JsonObject Data)> RunAsync(object input)
        {
            var (status, created, _) = await client.CreateTaskAsync(input);
            Assert.Equal(HttpStatusCode.OK, status);
            var taskId = (string)created["data"]!["taskId"]!;
            var data = await client.WaitForEndAsync(taskId);
            return (engine!.Jobs.Single(j => j.TaskId == taskId).Spec, data);
        }

        var (defaults, defaultData) = await RunAsync(new { prompt = "defaults" });
        Assert.Equal(("16:9", "720p", 1280, 720, 24, 5, false, false), (defaults.Ratio, defaults.Resolution, defaults.Width, defaults.Height, defaults.Fps, defaults.DurationSeconds, defaults.Audio, defaults.WebSearch));
        Assert.Equal(200, (long)defaultData["creditsConsumed"]!);
        Assert.Equal(defaults.Seed, (long)defaultData["seed"]!);
        var url = (string)JsonNode.Parse((string)defaultData["resultJson"]!)!["resultUrls"]![0]!;
        Assert.StartsWith("https://cdn.example.test/videos/files/task_", url);

        var (priority, _) = await RunAsync(new { prompt = "both", ratio = "9:16", aspect_ratio = "1:1", resolution = "480p" });
        Assert.Equal(("9:16", 496, 864), (priority.Ratio, priority.Width, priority.Height));

        var (alias, _) = await RunAsync(new { prompt = "alias only", aspect_ratio = "21:9", resolution = "1080p" });
        Assert.Equal(("21:9", 2206, 946), (alias.Ratio, alias.Width, alias.Height));

        var (adaptive, _) = await RunAsync(new { prompt = "adaptive", ratio = "adaptive" });
        Assert.Equal(("16:9", 1280, 720), (adaptive.Ratio, adaptive.Width, adaptive.Height));

        var (seeded, seededData) = await RunAsync(new { prompt = "seeded", seed = 1234, generate_audio = true, web_search = true, duration = 7 });
        Assert.Equal((1234L, true, true, 7), (seeded.Seed, seeded.Audio, seeded.WebSearch, seeded.DurationSeconds));
        Assert.Equal(1234, (long)seededData["seed"]!);
    }
}
