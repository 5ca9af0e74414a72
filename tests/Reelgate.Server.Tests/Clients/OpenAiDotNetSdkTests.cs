// The OpenAI .NET SDK marks its VideoClient experimental (OPENAI001); these tests exist to drive
// exactly that client, unchanged, so the diagnostic is expected here and nowhere else.
#pragma warning disable OPENAI001

using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json.Nodes;
using OpenAI.Videos;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests.Clients;

/// <summary>
/// The official OpenAI .NET SDK (NuGet <c>OpenAI</c> 2.15.0): its <c>VideoClient</c> has only
/// protocol methods in this version (JSON in, <see cref="ClientResult"/> out), which it sends to
/// <c>{Endpoint}/videos...</c> with the key as Bearer. Create, poll, download (probed), list,
/// remix, delete and the errors it raises, with the balance after each and the audit.
/// </summary>
public sealed class OpenAiDotNetSdkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenAiDotNetVideoClient_CreatesPollsDownloadsListsRemixesAndDeletes_OnTheSameCredits()
    {
        await using var server = await ReelgateTestServer.StartAsync();
        var (_, _, key) = await server.CreateAccountAsync(1_000);
        var (_, _, poorKey) = await server.CreateAccountAsync(0);
        using var rest = server.NewClient(key);
        var options = new VideoClientOptions { Endpoint = new Uri(server.BaseAddress, "/v1"), RetryPolicy = new ClientRetryPolicy(0) };
        var videos = new VideoClient(new ApiKeyCredential(key), options);

        var created = Json(await videos.CreateVideoAsync(Body(new { prompt = "a paper plane", seconds = "4", size = "496x864" }), "application/json"));
        var id = (string)created["id"]!;
        Assert.Equal(("video", "4", "496x864"), ((string?)created["object"], (string?)created["seconds"], (string?)created["size"]));
        Assert.Equal(1_000 - 80, await rest.CreditsAsync());

        var done = await PollAsync(videos, id);
        Assert.Equal("completed", (string?)done["status"]);

        var content = await videos.DownloadVideoAsync(id, "video", new RequestOptions());
        var file = Path.Combine(Path.GetTempPath(), $"openai-dotnet-{Guid.NewGuid():N}.mp4");
        try
        {
            await File.WriteAllBytesAsync(file, content.GetRawResponse().Content.ToArray(), Ct);
            var stream = Ffprobe.Stream(await Ffprobe.ProbeAsync(file), "video")!;
            Assert.Equal((496, 864), ((int)stream["width"]!, (int)stream["height"]!));
        }
        finally
        {
            File.Delete(file);
        }

        var remix = Json(await videos.CreateVideoRemixAsync(id, Body(new { prompt = "a paper plane at night" }), "application/json"));
        Assert.Equal(("a paper plane at night", "496x864"), ((string?)remix["prompt"], (string?)remix["size"]));
        Assert.Equal(1_000 - 160, await rest.CreditsAsync());
        Assert.Equal("completed", (string?)(await PollAsync(videos, (string)remix["id"]!))["status"]);

        // Pages by `after`, passed by hand: in 2.15.0 the collection's page enumeration stops after
        // the first page here (docs/openai-compatible.md).
        var ids = new List<string>();
        string? after = null;
        do
        {
            await foreach (var page in videos.GetVideosAsync(limit: 1, order: null, after: after, options: new RequestOptions()).GetRawPagesAsync())
            {
                var json = Json(page);
                ids.AddRange(json["data"]!.AsArray().Select(v => (string)v!["id"]!));
                after = (bool)json["has_more"]! ? (string?)json["last_id"] : null;
                break;
            }
        }
        while (after is not null);

        Assert.Equal([(string)remix["id"]!, id], ids);

        var deleted = Json(await videos.DeleteVideoAsync(id, new RequestOptions()));
        Assert.True((bool)deleted["deleted"]!);
        Assert.Equal(1_000 - 160, await rest.CreditsAsync());

        var badSize = await Assert.ThrowsAsync<ClientResultException>(() => videos.CreateVideoAsync(Body(new { prompt = "x", size = "1x1" }), "application/json"));
        Assert.Equal(400, badSize.Status);
        Assert.Equal("size", (string?)JsonNode.Parse(badSize.GetRawResponse()!.Content.ToString())!["error"]!["param"]);
        var missing = await Assert.ThrowsAsync<ClientResultException>(() => videos.GetVideoAsync("task_missing", new RequestOptions()));
        Assert.Equal(404, missing.Status);
        var poor = new VideoClient(new ApiKeyCredential(poorKey), options);
        var quota = await Assert.ThrowsAsync<ClientResultException>(() => poor.CreateVideoAsync(Body(new { prompt = "x" }), "application/json"));
        Assert.Equal(429, quota.Status);
        Assert.Equal("insufficient_quota", (string?)JsonNode.Parse(quota.GetRawResponse()!.Content.ToString())!["error"]!["code"]);
        Assert.Equal(1_000 - 160, await rest.CreditsAsync());
        await server.AssertAuditOkAsync();
    }

    private static async Task<JsonObject> PollAsync(VideoClient videos, string id)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var video = Json(await videos.GetVideoAsync(id, new RequestOptions()));
            if ((string?)video["status"] is "completed" or "failed" || DateTime.UtcNow > deadline)
            {
                return video;
            }

            await Task.Delay(300, Ct);
        }
    }

    private static BinaryContent Body(object value) => BinaryContent.Create(BinaryData.FromObjectAsJson(value));

    private static JsonObject Json(ClientResult result) => JsonNode.Parse(result.GetRawResponse().Content.ToString())!.AsObject();
}
