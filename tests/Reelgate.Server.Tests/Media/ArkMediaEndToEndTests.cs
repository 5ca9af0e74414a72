using Reelgate.Emulators.ModelArk;
using Reelgate.Server.Tests.Infrastructure;
using static Reelgate.Server.Tests.Media.MediaTasks;

namespace Reelgate.Server.Tests.Media;

/// <summary>
/// Media inputs through the ModelArk adapter, end to end: image-to-video and reference-to-video
/// routed to an engine pointed at the Ark emulator, created with uploads and data: URIs. What
/// the emulator received (text item, media items with their roles, their URLs) is checked: data:
/// URIs of the checked bytes without <c>Reelgate:PublicBaseUrl</c>, signed URLs of the stored
/// copies with it; and return_last_frame gives a lastFrameUrl.
/// </summary>
public sealed class ArkMediaEndToEndTests : IDisposable
{
    private const string ImageToVideo = "seedance-2.0-image-to-video";
    private const string ReferenceToVideo = "seedance-2.0-reference-to-video";

    private static readonly string RenderCache = Directory.CreateTempSubdirectory("reelgate-ark-media-cache-").FullName;

    private readonly string _dir = Directory.CreateTempSubdirectory("reelgate-ark-media-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task UploadsAndDataUris_ReachArkAsDataUrisWithTheirRoles_WhenNoPublicBaseUrl()
    {
        await using var ark = await StartArkAsync();
        await using var server = await ReelgateTestServer.StartAsync(Settings(ark));
        var (_, _, key) = await server.CreateAccountAsync(10_000);
        using var client = server.NewClient(key);
        var first = await TestMedia.PngAsync(640, 480);
        var last = await TestMedia.PngAsync(640, 480, "smptehdbars");
        var clip = await TestMedia.Mp4Async(3);
        var tune = await TestMedia.Mp3Async(3);

        var i2v = await SucceedAsync(client, ImageToVideo, new
        {
            prompt = "from the card to the bars",
            image_urls = new[] { await MediaCreateTests.UploadAsync(client, first), DataUri("image/png", last) },
            resolution = "480p",
            duration = 4,
            return_last_frame = true,
        });
        var r2v = await SucceedAsync(client, ReferenceToVideo, new
        {
            prompt = "the references in turn",
            reference_image_urls = new[] { await MediaCreateTests.UploadAsync(client, first) },
            reference_video_urls = new[] { await MediaCreateTests.UploadAsync(client, clip) },
            reference_audio_urls = new[] { DataUri("audio/mpeg", tune) },
            resolution = "480p",
            duration = 4,
        });

        var frames = Sent(ark, "from the card to the bars");
        Assert.Equal([("text", null), ("image_url", "first_frame"), ("image_url", "last_frame")], frames.Content.Select(c => (c.Type, c.Role)));
        Assert.True(frames.ReturnLastFrame);
        Assert.Equal(first, DataUriBytes(frames.Content[1].Url, "data:image/png;base64,"));
        Assert.Equal(last, DataUriBytes(frames.Content[2].Url, "data:image/png;base64,"));
        var references = Sent(ark, "the references in turn");
        Assert.Equal([("text", null), ("image_url", "reference_image"), ("video_url", "reference_video"), ("audio_url", "reference_audio")], references.Content.Select(c => (c.Type, c.Role)));
        Assert.Equal(first, DataUriBytes(references.Content[1].Url, "data:image/png;base64,"));
        Assert.Equal(clip, DataUriBytes(references.Content[2].Url, "data:video/mp4;base64,"));
        Assert.Equal(tune, DataUriBytes(references.Content[3].Url, "data:audio/mpeg;base64,"));

        await AssertLastFramePngAsync(client, i2v);
        Assert.Null(Result(r2v)["lastFrameUrl"]);
        Assert.Equal(10_000 - Price(ImageToVideo, "480p", 4) - Price(ReferenceToVideo, "480p", 4), await client.CreditsAsync());
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task UploadsAndDataUris_ReachArkAsSignedUrlsOfStoredCopies_WhenPublicBaseUrlIsSet()
    {
        await using var ark = await StartArkAsync();
        var port = ReelgateTestServer.FreePort();
        var settings = Settings(ark);
        settings["Reelgate:PublicBaseUrl"] = $"http://127.0.0.1:{port}";
        await using var server = await ReelgateTestServer.StartAsync(settings, port: port);
        var (_, _, key) = await server.CreateAccountAsync(10_000);
        using var client = server.NewClient(key);
        var first = await TestMedia.PngAsync(480, 640);
        var last = await TestMedia.PngAsync(480, 640, "smptehdbars");

        var data = await SucceedAsync(client, ImageToVideo, new
        {
            prompt = "signed copies, card to bars",
            image_urls = new[] { await MediaCreateTests.UploadAsync(client, first), DataUri("image/png", last) },
            resolution = "480p",
            duration = 4,
            return_last_frame = true,
        });

        var taskId = (string)data["taskId"]!;
        var sent = Sent(ark, "signed copies, card to bars");
        Assert.Equal([("text", null), ("image_url", "first_frame"), ("image_url", "last_frame")], sent.Content.Select(c => (c.Type, c.Role)));
        using var anyone = new HttpClient();
        for (var i = 1; i <= 2; i++)
        {
            Assert.StartsWith($"http://127.0.0.1:{port}/files/{taskId}/input-{i - 1}.png?expires=", sent.Content[i].Url, StringComparison.Ordinal);
            Assert.Equal(i == 1 ? first : last, await anyone.GetByteArrayAsync(sent.Content[i].Url, Ct));
        }

        await AssertLastFramePngAsync(client, data);
    }

    private async Task AssertLastFramePngAsync(HttpClient client, System.Text.Json.Nodes.JsonObject data)
    {
        var url = (string?)Result(data)["lastFrameUrl"];
        Assert.False(url is null, data.ToJsonString());
        var png = await File.ReadAllBytesAsync(await DownloadAsync(client, url, _dir, $"{(string)data["taskId"]!}.png"), Ct);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]);
    }

    private static ArkTaskSnapshot Sent(ArkEmulator ark, string prompt) =>
        Assert.Single(ark.Tasks, t => t.Content.Any(c => c.Type == "text" && c.Text == prompt));

    private static byte[] DataUriBytes(string? url, string prefix)
    {
        Assert.NotNull(url);
        Assert.StartsWith(prefix, url, StringComparison.Ordinal);
        return Convert.FromBase64String(url[prefix.Length..]);
    }

    private static Task<ArkEmulator> StartArkAsync() =>
        ArkEmulator.StartAsync(new ArkEmulatorOptions { QueueDelay = TimeSpan.FromMilliseconds(100), RunDuration = TimeSpan.FromMilliseconds(300), RenderCacheDirectory = RenderCache }, Ct);

    private static Dictionary<string, string?> Settings(ArkEmulator ark) => new()
    {
        ["Reelgate:Engines:ark:Type"] = "modelark",
        ["Reelgate:Engines:ark:BaseUrl"] = ark.BaseAddress.ToString(),
        ["Reelgate:Engines:ark:ApiKey"] = "ark-test-key",
        ["Reelgate:Engines:ark:Model"] = "dreamina-seedance-2-0-260128",
        ["Reelgate:Engines:ark:PollInitial"] = "00:00:00.100",
        ["Reelgate:Engines:ark:PollMax"] = "00:00:00.400",
        [$"Reelgate:Routes:{ImageToVideo}:0:Engine"] = "ark",
        [$"Reelgate:Routes:{ReferenceToVideo}:0:Engine"] = "ark",
    };
}
