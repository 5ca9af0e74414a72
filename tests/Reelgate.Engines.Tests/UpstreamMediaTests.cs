using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Core.Media;
using Reelgate.Emulators.ModelArk;
using Reelgate.Engines.Upstream;

namespace Reelgate.Engines.Tests;

/// <summary>
/// Media inputs and the last frame through the upstream adapters: the ModelArk and relay bodies
/// asserted literally, then whole generations over loopback HTTP against the ModelArk emulator
/// (which records the content items it received) and against a stand-in relay peer, with the
/// video and the last frame PNG downloaded into the job's paths.
/// </summary>
public sealed class UpstreamMediaTests(ArkRenderCacheFixture renders) : IClassFixture<ArkRenderCacheFixture>, IDisposable
{
    private const string ArkModel = "dreamina-seedance-2-0-260128";

    private static readonly GenerationSpec Spec = new("seedance-2.0-image-to-video", "a door opens", "16:9", "480p", 864, 496, 24, 4, false, 4242, false);

    private readonly string _work = Directory.CreateTempSubdirectory("reelgate-upstream-media-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void ModelArkBody_CarriesTheFramesAfterTheText_WithRoles_AndReturnLastFrame()
    {
        var job = new EngineJob("t1", Spec with { ReturnLastFrame = true }, "/dev/null")
        {
            Media =
            [
                Media(MediaRoles.FirstFrame, "first_frame_url", -1, "https://cdn.example/first.png"),
                Media(MediaRoles.LastFrame, "last_frame_url", -1, "data:image/png;base64,iVBORw0KGgo="),
            ],
        };

        Assert.Equal(
            """{"model":"dreamina-seedance-2-0-260128","content":[{"type":"text","text":"a door opens"},{"type":"image_url","image_url":{"url":"https://cdn.example/first.png"},"role":"first_frame"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="},"role":"last_frame"}],"ratio":"16:9","resolution":"480p","duration":4,"generate_audio":false,"seed":4242,"watermark":false,"return_last_frame":true}""",
            Ark(new Uri("http://ark.invalid/")).Body(job).ToJsonString());
    }

    [Fact]
    public void ModelArkBody_SendsNoTextItem_WhenThePromptIsEmpty_AndEveryReferenceKindInOrder()
    {
        var job = new EngineJob("t2", Spec with { Prompt = "" }, "/dev/null")
        {
            Media =
            [
                Media(MediaRoles.ReferenceImage, "reference_image_urls", 0, "https://cdn.example/r0.png"),
                Media(MediaRoles.ReferenceImage, "reference_image_urls", 1, "https://cdn.example/r1.png"),
                Media(MediaRoles.ReferenceVideo, "reference_video_urls", 0, "https://cdn.example/v.mp4"),
                Media(MediaRoles.ReferenceAudio, "reference_audio_urls", 0, "data:audio/wav;base64,UklGRg=="),
            ],
        };

        Assert.Equal(
            """{"model":"dreamina-seedance-2-0-260128","content":[{"type":"image_url","image_url":{"url":"https://cdn.example/r0.png"},"role":"reference_image"},{"type":"image_url","image_url":{"url":"https://cdn.example/r1.png"},"role":"reference_image"},{"type":"video_url","video_url":{"url":"https://cdn.example/v.mp4"},"role":"reference_video"},{"type":"audio_url","audio_url":{"url":"data:audio/wav;base64,UklGRg=="},"role":"reference_audio"}],"ratio":"16:9","resolution":"480p","duration":4,"generate_audio":false,"seed":4242,"watermark":false}""",
            Ark(new Uri("http://ark.invalid/")).Body(job).ToJsonString());
    }

    [Fact]
    public void ModelArkBody_IsUnchangedForTextToVideo()
    {
        Assert.Equal(
            """{"model":"dreamina-seedance-2-0-260128","content":[{"type":"text","text":"a door opens"}],"ratio":"16:9","resolution":"480p","duration":4,"generate_audio":false,"seed":4242,"watermark":false}""",
            Ark(new Uri("http://ark.invalid/")).Body(new EngineJob("t3", Spec, "/dev/null")).ToJsonString());
    }

    [Fact]
    public void RelayBody_RebuildsTheClientsFields_ListsByIndex_SingleUrlsAsStrings_AndReturnLastFrame()
    {
        var references = new EngineJob("t4", Spec with { Prompt = "", ReturnLastFrame = true }, "/dev/null")
        {
            Media =
            [
                Media(MediaRoles.ReferenceImage, "image_urls", 1, "https://cdn.example/r1.png"),
                Media(MediaRoles.ReferenceImage, "image_urls", 0, "https://cdn.example/r0.png"),
                Media(MediaRoles.ReferenceVideo, "video_urls", 0, "https://cdn.example/v.mp4"),
                Media(MediaRoles.ReferenceAudio, "audio_urls", 0, "data:audio/wav;base64,UklGRg=="),
            ],
        };
        Assert.Equal(
            """{"model":"seedance-2.0-reference-to-video","input":{"prompt":"","ratio":"16:9","resolution":"480p","duration":4,"generate_audio":false,"web_search":false,"seed":4242,"image_urls":["https://cdn.example/r0.png","https://cdn.example/r1.png"],"video_urls":["https://cdn.example/v.mp4"],"audio_urls":["data:audio/wav;base64,UklGRg=="],"return_last_frame":true}}""",
            Relay(new Uri("http://peer.invalid/"), "seedance-2.0-reference-to-video").Body(references).ToJsonString());

        var frames = new EngineJob("t5", Spec, "/dev/null")
        {
            Media =
            [
                Media(MediaRoles.FirstFrame, "first_frame_url", -1, "https://cdn.example/first.png"),
                Media(MediaRoles.LastFrame, "last_frame_url", -1, "https://cdn.example/last.png"),
            ],
        };
        Assert.Equal(
            """{"model":"seedance-2.0-image-to-video","input":{"prompt":"a door opens","ratio":"16:9","resolution":"480p","duration":4,"generate_audio":false,"web_search":false,"seed":4242,"first_frame_url":"https://cdn.example/first.png","last_frame_url":"https://cdn.example/last.png"}}""",
            Relay(new Uri("http://peer.invalid/"), "seedance-2.0-image-to-video").Body(frames).ToJsonString());
    }

    [Fact]
    public async Task ModelArk_FirstAndLastFrame_AgainstTheEmulator_DownloadsVideoAndLastFramePng()
    {
        await using var ark = await StartArkAsync();
        var first = await MakeImageAsync("first.png", "red");
        var dataUri = "data:image/png;base64," + Convert.ToBase64String(await File.ReadAllBytesAsync(first, Ct));
        var job = Job("task-frames", Spec with { ReturnLastFrame = true }) with
        {
            Media =
            [
                new LocalMedia(new MediaInput(MediaRoles.FirstFrame, "first_frame_url", -1, "https://client.example/first.png"), ImageInfo, first, dataUri),
                new LocalMedia(new MediaInput(MediaRoles.LastFrame, "last_frame_url", -1, "https://client.example/last.png"), ImageInfo, first, "https://client.example/last.png"),
            ],
        };

        var result = await Ark(ark.BaseAddress).GenerateAsync(job, new Progress<int>(), Ct);

        Assert.True(result.Succeeded, result.FailMessage);
        Assert.Equal("ftyp"u8.ToArray(), (await File.ReadAllBytesAsync(job.OutputPath, Ct))[4..8]);
        Assert.True(File.Exists(job.ThumbnailPath));
        var png = await File.ReadAllBytesAsync(job.LastFramePath!, Ct);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Equal((864, 496), (BigEndian(png, 16), BigEndian(png, 20)));

        // What the emulator received is what the adapter was told to send, in order.
        var upstream = Assert.Single(ark.Tasks);
        Assert.True(upstream.ReturnLastFrame);
        Assert.Equal(
            [
                new ArkContentItem("text", null, null, null, "a door opens"),
                new ArkContentItem("image_url", "first_frame", "first_frame", dataUri, null),
                new ArkContentItem("image_url", "last_frame", "last_frame", "https://client.example/last.png", null),
            ],
            upstream.Content);
    }

    [Fact]
    public async Task ModelArk_References_WithoutPrompt_AgainstTheEmulator_Succeed()
    {
        await using var ark = await StartArkAsync();
        var image = await MakeImageAsync("ref.png", "blue");
        var video = Path.Combine(_work, "ref.mp4");
        await FfmpegTool.RunAsync("/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=s=640x360:d=2:r=24", "-pix_fmt", "yuv420p", video]);
        var audio = Path.Combine(_work, "ref.wav");
        await FfmpegTool.RunAsync("/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "sine=d=2", audio]);
        var job = Job("task-refs", Spec with { Prompt = "" }) with
        {
            Media =
            [
                new LocalMedia(new MediaInput(MediaRoles.ReferenceImage, "reference_image_urls", 0, "https://client.example/r.png"), ImageInfo, image, "https://client.example/r.png"),
                new LocalMedia(new MediaInput(MediaRoles.ReferenceVideo, "reference_video_urls", 0, "https://client.example/v.mp4"), new MediaInfo(MediaKind.Video, "video/mp4", "mp4", new FileInfo(video).Length, 640, 360, 2), video, "https://client.example/v.mp4"),
                new LocalMedia(new MediaInput(MediaRoles.ReferenceAudio, "reference_audio_urls", 0, "https://client.example/a.wav"), new MediaInfo(MediaKind.Audio, "audio/wav", "wav", new FileInfo(audio).Length, 0, 0, 2), audio, "data:audio/wav;base64," + Convert.ToBase64String(await File.ReadAllBytesAsync(audio, Ct))),
            ],
            LastFramePath = null,
        };

        var result = await Ark(ark.BaseAddress).GenerateAsync(job, new Progress<int>(), Ct);

        Assert.True(result.Succeeded, result.FailMessage);
        var upstream = Assert.Single(ark.Tasks);
        Assert.Equal("", upstream.Prompt);
        Assert.Equal(["image_url", "video_url", "audio_url"], upstream.Content.Select(c => c.Type));
        Assert.Equal(["reference_image", "reference_video", "reference_audio"], upstream.Content.Select(c => c.Role));
        Assert.StartsWith("data:audio/wav;base64,", upstream.Content[2].Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelArk_LostCreateAnswer_WithMedia_IsFoundAgain_NotCreatedTwice()
    {
        await using var ark = await StartArkAsync();
        var first = await MakeImageAsync("lost.png", "yellow");
        var job = Job("task-lost", Spec with { Prompt = "[ark:drop=1] a door opens", ReturnLastFrame = true }) with
        {
            Media = [new LocalMedia(new MediaInput(MediaRoles.FirstFrame, "first_frame_url", -1, "https://client.example/first.png"), ImageInfo, first, "https://client.example/first.png")],
        };

        var result = await Ark(ark.BaseAddress).GenerateAsync(job, new Progress<int>(), Ct);

        // The emulator made the task and cut the connection; the list (model, seed, size, time) finds it.
        Assert.True(result.Succeeded, result.FailMessage);
        Assert.Equal(1, ark.Stats.CreatesAccepted);
        Assert.Equal("first_frame", Assert.Single(ark.Tasks).Content[1].Role);
        Assert.True(File.Exists(job.LastFramePath));
    }

    [Fact]
    public async Task ModelArk_Succeeds_WithoutALastFrameFile_WhenTheUpstreamGivesNoLastFrameUrl()
    {
        await using var ark = await StartArkAsync();

        // The job wants a last frame but the spec (so the body) does not ask: the upstream gives none.
        var job = Job("task-nolast", Spec);
        var result = await Ark(ark.BaseAddress).GenerateAsync(job, new Progress<int>(), Ct);

        Assert.True(result.Succeeded, result.FailMessage);
        Assert.True(File.Exists(job.OutputPath));
        Assert.False(File.Exists(job.LastFramePath));
    }

    [Fact]
    public async Task Relay_SendsTheClientsFields_AndDownloadsVideoAndLastFrameFromThePeer()
    {
        var video = Path.Combine(_work, "peer.mp4");
        await FfmpegTool.RunAsync("/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=s=640x360:d=2:r=24", "-pix_fmt", "yuv420p", video]);
        var frame = await MakeImageAsync("peer.png", "green");
        await using var peer = await FakePeer.StartAsync(video, frame);
        var job = Job("task-relay", Spec with { ReturnLastFrame = true }) with
        {
            Media = [new LocalMedia(new MediaInput(MediaRoles.FirstFrame, "first_frame_url", -1, "https://client.example/first.png"), ImageInfo, frame, "https://client.example/first.png")],
        };

        var result = await Relay(peer.BaseAddress, "seedance-2.0-image-to-video").GenerateAsync(job, new Progress<int>(), Ct);

        Assert.True(result.Succeeded, result.FailMessage);
        Assert.Equal(await File.ReadAllBytesAsync(video, Ct), await File.ReadAllBytesAsync(job.OutputPath, Ct));
        Assert.Equal(await File.ReadAllBytesAsync(frame, Ct), await File.ReadAllBytesAsync(job.LastFramePath!, Ct));
        var sent = Assert.Single(peer.Creates);
        Assert.Equal("https://client.example/first.png", (string)sent["input"]!["first_frame_url"]!);
        Assert.True((bool)sent["input"]!["return_last_frame"]!);
        Assert.Equal("reelgate-task-relay", Assert.Single(peer.RequestIds));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private static readonly MediaInfo ImageInfo = new(MediaKind.Image, "image/png", "png", 1000, 640, 360, 0);

    private static LocalMedia Media(string role, string field, int index, string url) =>
        new(new MediaInput(role, field, index, url), role switch
        {
            MediaRoles.ReferenceVideo => new MediaInfo(MediaKind.Video, "video/mp4", "mp4", 1000, 640, 360, 2),
            MediaRoles.ReferenceAudio => new MediaInfo(MediaKind.Audio, "audio/wav", "wav", 1000, 0, 0, 2),
            _ => ImageInfo,
        }, "/nonexistent", url);

    private EngineJob Job(string taskId, GenerationSpec spec) =>
        new(taskId, spec, Path.Combine(_work, taskId + ".mp4"), Path.Combine(_work, taskId + ".jpg")) { LastFramePath = Path.Combine(_work, taskId + ".png") };

    private async Task<string> MakeImageAsync(string name, string color)
    {
        var path = Path.Combine(_work, name);
        await FfmpegTool.RunAsync("/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", $"color=c={color}:s=640x360", "-frames:v", "1", "-update", "1", path]);
        return path;
    }

    private Task<ArkEmulator> StartArkAsync() =>
        ArkEmulator.StartAsync(new ArkEmulatorOptions { QueueDelay = TimeSpan.FromMilliseconds(50), RunDuration = TimeSpan.FromMilliseconds(100), RenderCacheDirectory = renders.Directory }, Ct);

    private static UpstreamEngineSettings Settings(string name, Uri baseUrl, string model) =>
        new(name, baseUrl, "ark-test-key", model, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), 3, TimeSpan.FromSeconds(30));

    private static ModelArkEngine Ark(Uri baseUrl) =>
        new(Settings("ark", baseUrl, ArkModel), TimeProvider.System, NullLogger<ModelArkEngine>.Instance, new PlainHttpClients());

    private static RelayEngine Relay(Uri baseUrl, string model) =>
        new(Settings("peer", baseUrl, model), TimeProvider.System, NullLogger<RelayEngine>.Instance, new PlainHttpClients());

    private static int BigEndian(byte[] b, int at) => (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];

    /// <summary>A new client per request, as the server's factory gives (no handlers of its own).</summary>
    private sealed class PlainHttpClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new();
    }

    /// <summary>
    /// A relay peer that takes one create and answers success at once with its video and last
    /// frame URLs in resultJson, recording each create body and X-Request-ID.
    /// </summary>
    private sealed class FakePeer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private FakePeer(WebApplication app, Uri baseAddress)
        {
            _app = app;
            BaseAddress = baseAddress;
        }

        public Uri BaseAddress { get; }

        public List<JsonObject> Creates { get; } = [];

        public List<string> RequestIds { get; } = [];

        public static async Task<FakePeer> StartAsync(string video, string frame)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            FakePeer? peer = null;
            app.MapPost("/api/v1/jobs/createTask", async (HttpContext http) =>
            {
                var body = (await http.Request.ReadFromJsonAsync<JsonObject>(http.RequestAborted))!;
                lock (peer!.Creates)
                {
                    peer.Creates.Add(body);
                    peer.RequestIds.Add(http.Request.Headers["X-Request-ID"].ToString());
                }

                return Results.Json(new JsonObject { ["code"] = 200, ["msg"] = "success", ["data"] = new JsonObject { ["taskId"] = "peer-task-1" } });
            });
            app.MapGet("/api/v1/jobs/recordInfo", () =>
            {
                var result = new JsonObject
                {
                    ["resultUrls"] = new JsonArray((JsonNode)(peer!.BaseAddress + "files/video.mp4")),
                    ["lastFrameUrl"] = peer.BaseAddress + "files/last.png",
                };
                return Results.Json(new JsonObject
                {
                    ["code"] = 200,
                    ["data"] = new JsonObject { ["taskId"] = "peer-task-1", ["state"] = "success", ["creditsConsumed"] = 10, ["resultJson"] = result.ToJsonString() },
                });
            });
            app.MapGet("/files/video.mp4", () => Results.File(video, "video/mp4"));
            app.MapGet("/files/last.png", () => Results.File(frame, "image/png"));
            await app.StartAsync(Ct);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            peer = new FakePeer(app, new Uri(address.TrimEnd('/') + "/"));
            return peer;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
    }
}
