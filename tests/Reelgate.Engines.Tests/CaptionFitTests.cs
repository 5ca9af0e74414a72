using Microsoft.Extensions.Logging.Abstractions;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Engines.BuiltIn;

namespace Reelgate.Engines.Tests;

/// <summary>
/// The caption fits inside the frame at the narrowest and widest ratios: a frame rendered with
/// the caption is compared with the same frame rendered without it, and every changed pixel
/// must lie inside the frame with a margin (a clipped caption would touch the edges).
/// Frames are kept under the test output (artifacts/frames) to be looked at.
/// </summary>
public sealed class CaptionFitTests
{
    // Long, with capitals and an unbreakable word; no texture words, so the background stays smooth
    // and the only difference between the two renders is the caption.
    private const string LongPrompt = "A slow dolly shot through a futuristic botanical lab, WIDE reflections on wet leaves drifting past the camera, " +
        "MMMMMMMMMMMMMMMMMMMMMMMMMMMMMM and a panoramic view across EXTRAORDINARILY-LONG-HYPHENATED-WORDS-THAT-NEVER-END, then more words until the caption overflows its six lines";

    [Theory]
    [InlineData("9:16", 496, 864)]
    [InlineData("21:9", 992, 432)]
    [InlineData("9:16", 1080, 1920)]
    [InlineData("21:9", 2206, 946)]
    [InlineData("1:1", 640, 640)]
    public async Task Caption_StaysInsideFrame_ForNarrowAndWideRatios(string ratio, int width, int height)
    {
        var spec = new GenerationSpec("m", LongPrompt, ratio, "x", width, height, 24, 1, false, 5, false);
        var withCaption = await FrameAsync(spec, new BuiltInRendererOptions { Preset = "ultrafast" }, $"{width}x{height}-caption");
        var without = await FrameAsync(spec, new BuiltInRendererOptions { Preset = "ultrafast", FontPath = "/nonexistent.ttf" }, $"{width}x{height}-plain");

        int minX = width, maxX = -1, minY = height, maxY = -1;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 3;
                if (Math.Abs(withCaption[i] - without[i]) + Math.Abs(withCaption[i + 1] - without[i + 1]) + Math.Abs(withCaption[i + 2] - without[i + 2]) > 24)
                {
                    (minX, maxX, minY, maxY) = (Math.Min(minX, x), Math.Max(maxX, x), Math.Min(minY, y), Math.Max(maxY, y));
                }
            }
        }

        Assert.True(maxX > 0, "the caption changed nothing: it was not drawn");
        Assert.True(minX > 0 && maxX < width - 1 && minY > 0 && maxY < height - 1, $"caption box {minX}..{maxX} x {minY}..{maxY} touches the edge of {width}x{height}");
        Assert.True(maxX - minX > width / 3, "the caption is implausibly narrow");
    }

    private static async Task<byte[]> FrameAsync(GenerationSpec spec, BuiltInRendererOptions options, string name)
    {
        var renderer = new BuiltInRenderer(options, NullLogger<BuiltInRenderer>.Instance);
        var dir = Path.Combine(AppContext.BaseDirectory, "artifacts", "frames");
        Directory.CreateDirectory(dir);
        var video = Path.Combine(dir, name + ".mp4");
        var result = await renderer.GenerateAsync(new EngineJob("task_fit", spec, video), new Progress<int>(), TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.FailMessage);
        await FfmpegTool.RunAsync("/usr/bin/ffmpeg", ["-v", "error", "-y", "-ss", "0.5", "-i", video, "-frames:v", "1", Path.Combine(dir, name + ".png")]);
        var bytes = await FfmpegTool.FrameAsync(video, 0.5);
        File.Delete(video);
        return bytes;
    }
}
