using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Reelgate.Core.Engines;
using Reelgate.Server.Tests.Infrastructure;

namespace Reelgate.Server.Tests.Media;

/// <summary>
/// return_last_frame with an engine that makes a real video but no last frame (as an upstream
/// whose last_frame_url is missing): the worker cuts the frame from the video, so lastFrameUrl
/// names a PNG of the video's size.
/// </summary>
public sealed class LastFrameFallbackTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LastFrameUrl_ServesAPng_WhenTheEngineDidNotWriteTheLastFrame()
    {
        var mp4 = await TestMedia.Mp4Async(3);
        await using var server = await ReelgateTestServer.StartAsync(services: s => s.AddSingleton<IVideoEngine>(new VideoOnlyEngine(mp4)));
        var (_, _, key) = await server.CreateAccountAsync(100_000);
        using var client = server.NewClient(key);

        var (status, body, _) = await client.CreateTaskAsync(new { prompt = "no frame from the engine", resolution = "480p", duration = 4, return_last_frame = true }, model: "bytedance/seedance-2");
        Assert.True(status == HttpStatusCode.OK, body.ToJsonString());
        var info = await client.WaitForEndAsync((string)body["data"]!["taskId"]!);

        Assert.Equal("success", (string?)info["state"]);
        var lastFrame = (string?)System.Text.Json.Nodes.JsonNode.Parse((string)info["resultJson"]!)!["lastFrameUrl"];
        Assert.NotNull(lastFrame);
        using var response = await client.GetAsync(lastFrame, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var png = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        // The IHDR's size is the video's (640x360, TestMedia's MP4).
        Assert.Equal((640, 360), (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))));
    }

    /// <summary>The built-in engine's stand-in: writes a real MP4 and nothing else.</summary>
    private sealed class VideoOnlyEngine(byte[] mp4) : IVideoEngine
    {
        public string Name => "builtin";

        public EngineHealth CheckHealth() => new(true, "video only");

        public async Task<EngineResult> GenerateAsync(EngineJob job, IProgress<int> progress, CancellationToken ct)
        {
            await File.WriteAllBytesAsync(job.OutputPath, mp4, ct);
            return EngineResult.Success();
        }
    }
}
