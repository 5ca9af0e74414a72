using System.Globalization;
using System.Text.Json.Nodes;
using Reelgate.Server.Tests.Infrastructure;
using Reelgate.Testing;
using static Reelgate.Server.Tests.Media.MediaTasks;

namespace Reelgate.Server.Tests.Media;

/// <summary>
/// The Seedance 2.0 family end to end on the built-in engine, over real loopback HTTP: uploads
/// and remote images go in through createTask, the worker fetches and checks them, the renderer
/// animates them, and what recordInfo points at is checked as a viewer would see it (ffprobe,
/// frames compared by PSNR), with the catalog's sizes, fps and prices. 480p, 4 s throughout.
/// </summary>
public sealed class MediaEndToEndTests : IDisposable
{
    private const string ImageToVideo = "seedance-2.0-image-to-video";
    private const string ReferenceToVideo = "seedance-2.0-reference-to-video";
    private const int Seconds = 4;

    private static readonly Dictionary<string, string?> AllowLocalhost = new() { ["Reelgate:Inputs:AllowedHosts:0"] = "localhost" };

    private readonly string _dir = Directory.CreateTempSubdirectory("reelgate-media-e2e-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ImageToVideo_StartsOnUploadAndEndsOnRemoteImage_AtTheNearestCatalogSize_ForTheCatalogPrice()
    {
        await using var remote = await LoopbackFiles.StartAsync();
        await using var server = await ReelgateTestServer.StartAsync(AllowLocalhost);
        var (_, _, key) = await server.CreateAccountAsync(10_000);
        using var client = server.NewClient(key);
        var firstImage = await TestMedia.PngAsync(480, 640);
        var lastImage = await TestMedia.PngAsync(640, 480, "smptehdbars");
        var upload = await MediaCreateTests.UploadAsync(client, firstImage);
        var (ratio, width, height) = Nearest(ImageToVideo, "480p", 480, 640);
        Assert.Contains(ratio, new[] { "3:4", "9:16" });

        var data = await SucceedAsync(client, ImageToVideo, new
        {
            prompt = "push in on the test card",
            image_urls = new[] { upload, remote.Serve("/last.png", lastImage) },
            ratio = "adaptive",
            resolution = "480p",
            duration = Seconds,
            return_last_frame = true,
            seed = 7,
        });

        var result = Result(data);
        var video = await DownloadAsync(client, (string)result["resultUrls"]![0]!, _dir, "video.mp4");
        var frames = Model(ImageToVideo).Fps * Seconds;
        await AssertVideoAsync(video, width, height, frames, audio: false);
        await File.WriteAllBytesAsync(Path.Combine(_dir, "first.png"), firstImage, Ct);
        await File.WriteAllBytesAsync(Path.Combine(_dir, "last.png"), lastImage, Ct);
        var frame0 = await FrameCompare.DecodeAsync(video, FrameCompare.Frame(0), width, height);
        var final = await FrameCompare.DecodeAsync(video, FrameCompare.Frame(frames - 1), width, height);
        var first = await FrameCompare.DecodeAsync(Path.Combine(_dir, "first.png"), FrameCompare.Cover(width, height), width, height);
        var last = await FrameCompare.DecodeAsync(Path.Combine(_dir, "last.png"), FrameCompare.Cover(width, height), width, height);
        Assert.True(FrameCompare.Psnr(frame0, first) > 30, $"frame 0 vs the uploaded first image: {FrameCompare.Psnr(frame0, first):0.0} dB");
        Assert.True(FrameCompare.Psnr(final, last) > 30, $"final frame vs the remote last image: {FrameCompare.Psnr(final, last):0.0} dB");

        var lastFrame = await DownloadAsync(client, (string)result["lastFrameUrl"]!, _dir, "lastframe.png");
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, (await File.ReadAllBytesAsync(lastFrame, Ct))[..4]);
        var png = await FrameCompare.DecodeAsync(lastFrame, null, width, height);
        Assert.True(FrameCompare.Psnr(png, final) > 35, $"lastFrameUrl vs the MP4's final frame: {FrameCompare.Psnr(png, final):0.0} dB");

        var price = Price(ImageToVideo, "480p", Seconds);
        Assert.Equal(price, (long)data["creditsConsumed"]!);
        Assert.Equal(10_000 - price, await client.CreditsAsync());
        Assert.Equal(1, remote.Requests["/last.png"]);
        await server.AssertAuditOkAsync();
    }

    [Fact]
    public async Task ImageToVideo_GivesByteIdenticalVideos_ForTheSameRequestAndSeed()
    {
        await using var server = await ReelgateTestServer.StartAsync();
        var (_, _, key) = await server.CreateAccountAsync(10_000);
        using var client = server.NewClient(key);
        var upload = await MediaCreateTests.UploadAsync(client, await TestMedia.PngAsync(640, 480));
        // An orbit: its path, sin(2*PI*P), once broke every such render (P was substituted into PI).
        var input = new { prompt = "orbit around the test card", image_urls = new[] { upload }, resolution = "480p", duration = Seconds, seed = 4242 };

        var videos = new List<byte[]>();
        for (var i = 0; i < 2; i++)
        {
            var data = await SucceedAsync(client, ImageToVideo, input);
            var path = await DownloadAsync(client, (string)Result(data)["resultUrls"]![0]!, _dir, $"run-{i}.mp4");
            videos.Add(await File.ReadAllBytesAsync(path, Ct));
        }

        Assert.Equal(videos[0], videos[1]);
    }

    [Fact]
    public async Task ReferenceToVideo_RendersUploadedImagesVideoAndAudio_WithTheAudioAndTheLengthAsked()
    {
        await using var server = await ReelgateTestServer.StartAsync();
        var (_, _, key) = await server.CreateAccountAsync(10_000);
        using var client = server.NewClient(key);
        var images = new[]
        {
            await MediaCreateTests.UploadAsync(client, await TestMedia.PngAsync(640, 480)),
            await MediaCreateTests.UploadAsync(client, await TestMedia.PngAsync(480, 640, "smptehdbars")),
        };
        var clip = await MediaCreateTests.UploadAsync(client, await TestMedia.Mp4Async(3));
        var tune = await MediaCreateTests.UploadAsync(client, await TestMedia.Mp3Async(3));

        var data = await SucceedAsync(client, ReferenceToVideo, new
        {
            prompt = "a storyboard of the references",
            reference_image_urls = images,
            reference_video_urls = new[] { clip },
            reference_audio_urls = new[] { tune },
            ratio = "16:9",
            resolution = "480p",
            duration = Seconds,
        });

        var video = await DownloadAsync(client, (string)Result(data)["resultUrls"]![0]!, _dir, "refs.mp4");
        var (width, height) = Size(ReferenceToVideo, "480p", "16:9");
        await AssertVideoAsync(video, width, height, Model(ReferenceToVideo).Fps * Seconds, audio: true);
        Assert.Equal(Price(ReferenceToVideo, "480p", Seconds), (long)data["creditsConsumed"]!);
    }

    [Fact]
    public async Task KieModels_RenderFirstFrameDataUriAndTextOnly_EchoTheirIds_AndCostTheCatalogRates()
    {
        await using var server = await ReelgateTestServer.StartAsync();
        var (_, _, key) = await server.CreateAccountAsync(10_000);
        using var client = server.NewClient(key);
        var image = await TestMedia.PngAsync(640, 480);

        var full = await SucceedAsync(client, "bytedance/seedance-2", new { prompt = "push in", first_frame_url = DataUri("image/png", image), resolution = "480p", duration = Seconds });
        var fast = await SucceedAsync(client, "bytedance/seedance-2-fast", new { prompt = "a lighthouse at dusk", resolution = "480p", duration = Seconds });

        var expected = new[] { ("bytedance/seedance-2", full), ("bytedance/seedance-2-fast", fast) };
        foreach (var (model, data) in expected)
        {
            Assert.Equal(model, (string?)data["model"]);
            Assert.Equal(model, (string?)JsonNode.Parse((string)data["param"]!)!["model"]);
            Assert.Equal(Price(model, "480p", Seconds), (long)data["creditsConsumed"]!);
            var video = await DownloadAsync(client, (string)Result(data)["resultUrls"]![0]!, _dir, model.Replace('/', '-') + ".mp4");
            var (width, height) = Size(model, "480p", "16:9");
            await AssertVideoAsync(video, width, height, Model(model).Fps * Seconds, audio: false);
        }

        Assert.Equal(10_000 - Price("bytedance/seedance-2", "480p", Seconds) - Price("bytedance/seedance-2-fast", "480p", Seconds), await client.CreditsAsync());
        await server.AssertAuditOkAsync();
    }

    private static async Task AssertVideoAsync(string path, int width, int height, int frames, bool audio)
    {
        var probe = await Ffprobe.ProbeAsync(path);
        var video = Ffprobe.Stream(probe, "video")!;
        Assert.Equal((width, height), ((int)video["width"]!, (int)video["height"]!));
        Assert.Equal(frames.ToString(CultureInfo.InvariantCulture), (string?)video["nb_read_frames"]);
        Assert.InRange(double.Parse((string)probe["format"]!["duration"]!, CultureInfo.InvariantCulture), Seconds - 0.05, Seconds + 0.1);
        var sound = Ffprobe.Stream(probe, "audio");
        Assert.Equal(audio, sound is not null);
        if (sound is not null)
        {
            Assert.InRange(double.Parse((string)sound["duration"]!, CultureInfo.InvariantCulture), Seconds - 0.05, Seconds + 0.05);
        }
    }
}
