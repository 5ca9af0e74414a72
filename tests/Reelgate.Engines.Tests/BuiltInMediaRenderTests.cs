using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Core.Media;
using Reelgate.Engines.BuiltIn;
using Reelgate.Testing;

namespace Reelgate.Engines.Tests;

/// <summary>
/// The built-in engine's media modes (image-to-video, reference storyboard, last frame), checked
/// on real renders at 480p 16:9 (864x496), 4 s, with inputs made by ffmpeg.
/// </summary>
public sealed class BuiltInMediaRenderTests(MediaInputs inputs) : IClassFixture<MediaInputs>
{
    private const int Width = 864;
    private const int Height = 496;
    private const int Frames = 96;

    private static readonly BuiltInRenderer Renderer = new(new BuiltInRendererOptions { Preset = "ultrafast" }, NullLogger<BuiltInRenderer>.Instance);

    private static GenerationSpec Spec(string prompt, bool audio = true) => new("m", prompt, "16:9", "480p", Width, Height, 24, 4, audio, 11, false);

    [Fact]
    public async Task GenerateAsync_StartsOnFirstImageAndEndsOnLastImage_WithCleanEndsAndExactLength()
    {
        var dir = Directory.CreateTempSubdirectory("i2v-").FullName;
        try
        {
            var job = new EngineJob("task_i2v", Spec("a slow zoom out over the harbour"), Path.Combine(dir, "out.mp4"), Path.Combine(dir, "out.jpg"))
            {
                Media = [inputs.Image(MediaRoles.FirstFrame, inputs.Landscape, 640, 480), inputs.Image(MediaRoles.LastFrame, inputs.Portrait, 480, 640)],
                LastFramePath = Path.Combine(dir, "last.png"),
            };
            var result = await Renderer.GenerateAsync(job, new Progress<int>(), TestContext.Current.CancellationToken);
            Assert.True(result.Succeeded, result.FailMessage);

            var first = await DecodeAsync(inputs.Landscape, Cover);
            var last = await DecodeAsync(inputs.Portrait, Cover);
            var frame0 = await DecodeAsync(job.OutputPath, "select='eq(n\\,0)'");
            var final = await DecodeAsync(job.OutputPath, $"select='eq(n\\,{Frames - 1})'");
            Assert.True(Psnr(frame0, first) > 30, $"frame 0 vs first image: {Psnr(frame0, first):0.0} dB");
            Assert.True(Psnr(final, last) > 30, $"final frame vs last image: {Psnr(final, last):0.0} dB");

            // No caption at either end: the caption's band (the lower part) matches the images too.
            var band = (Height * 3 / 5) * Width * 3;
            Assert.True(Psnr(frame0[band..], first[band..]) > 30, $"caption band of frame 0: {Psnr(frame0[band..], first[band..]):0.0} dB");
            Assert.True(Psnr(final[band..], last[band..]) > 30, $"caption band of the final frame: {Psnr(final[band..], last[band..]):0.0} dB");

            await AssertLengthAsync(job.OutputPath, audio: true);
            Assert.True(File.Exists(job.ThumbnailPath));
            var png = await DecodeAsync(job.LastFramePath, null);
            Assert.True(Psnr(png, final) > 35, $"last-frame PNG vs the MP4's final frame: {Psnr(png, final):0.0} dB");
            Assert.Equal(["last.png", "out.jpg", "out.mp4"], Directory.EnumerateFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task GenerateAsync_IsByteIdentical_ForTheSameImageToVideoJob()
    {
        var runs = new List<byte[]>();
        for (var i = 0; i < 2; i++)
        {
            var output = Path.Combine(Path.GetTempPath(), $"i2v-same-{Guid.NewGuid():N}.mp4");
            try
            {
                var job = new EngineJob("task_same", Spec("pan left across the bars"), output) { Media = [inputs.Image(MediaRoles.FirstFrame, inputs.Portrait, 480, 640)] };
                var result = await Renderer.GenerateAsync(job, new Progress<int>(), TestContext.Current.CancellationToken);
                Assert.True(result.Succeeded, result.FailMessage);
                runs.Add(await File.ReadAllBytesAsync(output, TestContext.Current.CancellationToken));
            }
            finally
            {
                File.Delete(output);
            }
        }

        Assert.Equal(runs[0], runs[1]);
    }

    [Fact]
    public async Task GenerateAsync_RendersStoryboardWithReferenceAudio_OfExactLength()
    {
        var dir = Directory.CreateTempSubdirectory("refs-").FullName;
        try
        {
            // Audio off in the spec: the reference audio is the soundtrack all the same.
            var job = new EngineJob("task_refs", Spec("a storyboard of references", audio: false), Path.Combine(dir, "out.mp4"))
            {
                Media =
                [
                    inputs.Image(MediaRoles.ReferenceImage, inputs.Landscape, 640, 480),
                    inputs.Clip(),
                    inputs.Image(MediaRoles.ReferenceImage, inputs.Portrait, 480, 640),
                    inputs.Tune(),
                ],
                LastFramePath = Path.Combine(dir, "last.png"),
            };
            var result = await Renderer.GenerateAsync(job, new Progress<int>(), TestContext.Current.CancellationToken);
            Assert.True(result.Succeeded, result.FailMessage);
            await AssertLengthAsync(job.OutputPath, audio: true);
            var final = await DecodeAsync(job.OutputPath, $"select='eq(n\\,{Frames - 1})'");
            Assert.True(Psnr(await DecodeAsync(job.LastFramePath, null), final) > 35);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task GenerateAsync_WritesLastFramePng_ForTextToVideo()
    {
        var dir = Directory.CreateTempSubdirectory("t2v-last-").FullName;
        try
        {
            var job = new EngineJob("task_t2v", Spec("neon city at night", audio: false), Path.Combine(dir, "out.mp4")) { LastFramePath = Path.Combine(dir, "last.png") };
            var result = await Renderer.GenerateAsync(job, new Progress<int>(), TestContext.Current.CancellationToken);
            Assert.True(result.Succeeded, result.FailMessage);
            var final = await DecodeAsync(job.OutputPath, $"select='eq(n\\,{Frames - 1})'");
            var png = await DecodeAsync(job.LastFramePath, null);
            Assert.True(Psnr(png, final) > 35, $"last-frame PNG vs the MP4's final frame: {Psnr(png, final):0.0} dB");
            Assert.Equal(["last.png", "out.mp4"], Directory.EnumerateFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task GenerateAsync_LeavesNoFiles_WhenAnImageToVideoIsCancelled()
    {
        var dir = Directory.CreateTempSubdirectory("i2v-cancel-").FullName;
        var spec = Spec("zoom in slowly") with { DurationSeconds = 15 };
        var job = new EngineJob("task_cancel", spec, Path.Combine(dir, "out.mp4"), Path.Combine(dir, "out.jpg"))
        {
            Media = [inputs.Image(MediaRoles.FirstFrame, inputs.Landscape, 640, 480), inputs.Image(MediaRoles.LastFrame, inputs.Portrait, 480, 640)],
            LastFramePath = Path.Combine(dir, "last.png"),
        };
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        var run = Renderer.GenerateAsync(job, new OnProgress(p => started.TrySetResult()), cts.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        Directory.Delete(dir);
    }

    [Fact]
    public void RenderCommand_TextToVideo_ReadsNoMediaAndDrawsTheCanvasOnce()
    {
        // Issue 21: the colour field is drawn once and moved by a crop; specks are static patterns
        // scrolled on twos; no source is unbounded and nothing is noise drawn afresh each frame.
        var spec = new GenerationSpec("m", "a rainy neon city with snow particles light waves grid 100%", "16:9", "480p", 864, 496, 24, 4, true, 7, false);
        var args = RenderCommand.Build(spec, PromptStyle.From(spec.Prompt, spec.Seed), new BuiltInRendererOptions { Threads = 2 }, "/tmp/out.mp4", "/tmp/cap.txt", "/tmp/t.jpg");
        var graph = args[args.IndexOf("-filter_complex") + 1];
        var inputs = args.Where((a, i) => i > 0 && args[i - 1] == "-i").ToList();
        // Every source bounded: the stills make one frame (the one the graph uses), the tone the duration.
        Assert.All(inputs, i => Assert.Matches("[=:]d=(4|0\\.0[48]\\d*)(:|$)", i));
        Assert.Contains("[0:v]trim=end_frame=1", graph, StringComparison.Ordinal);
        Assert.Contains("crop=864:496:x=", graph, StringComparison.Ordinal);
        Assert.DoesNotContain("c0f=t", graph, StringComparison.Ordinal);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(graph, "scroll="));
        Assert.Equal("0", args[args.IndexOf("-aq-mode") + 1]);
    }

    [Fact]
    public async Task GenerateAsync_UsesReferenceAudio_ForTextToVideoWithAudioOnly()
    {
        var output = Path.Combine(Path.GetTempPath(), $"t2v-audio-{Guid.NewGuid():N}.mp4");
        try
        {
            var job = new EngineJob("task_t2v_audio", Spec("ocean waves", audio: false), output) { Media = [inputs.Tune()] };
            var result = await Renderer.GenerateAsync(job, new Progress<int>(), TestContext.Current.CancellationToken);
            Assert.True(result.Succeeded, result.FailMessage);
            await AssertLengthAsync(output, audio: true);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Theory]
    [InlineData("a slow zoom out from the castle", "zoom-out")]
    [InlineData("the camera pans left over the hills", "pan-left")]
    [InlineData("push in on the face", "zoom-in")]
    [InlineData("orbit around the statue", "orbit")]
    [InlineData("pull back to reveal the city", "zoom-out")]
    public void CameraMove_FollowsMotionWords(string prompt, string expected) =>
        Assert.Equal(expected, CameraMove.FromPrompt(prompt, new byte[32]).Name);

    [Fact]
    public void Zoompan_KeepsPi_WhenTheMoveIsAnOrbit()
    {
        // The orbit's path is sin(2*PI*P): only the lone P is the progress, never the P of PI.
        var zoompan = CameraMove.FromPrompt("orbit around the statue", new byte[32]).Zoompan(752, 560, 24, 96);

        Assert.Contains("sin(2*PI*(min(on/95", zoompan, StringComparison.Ordinal);
        Assert.Contains("sin(PI*(min(on/95", zoompan, StringComparison.Ordinal);
        Assert.DoesNotContain(")I*", zoompan, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4, 3)]
    [InlineData(5, 1)]
    [InlineData(15, 2)]
    [InlineData(4, 9)]
    public void StoryboardPlan_AddsUpToTheFrameCount(int seconds, int references)
    {
        var spec = Spec("plan") with { DurationSeconds = seconds };
        var media = Enumerable.Range(0, references).Select(i => i % 2 == 0 ? inputs.Image(MediaRoles.ReferenceImage, inputs.Landscape, 640, 480) : inputs.Clip()).ToList();
        var plan = StoryboardPlan.From(spec, media, new byte[32]);
        Assert.Equal(spec.FrameCount, plan.Shots.Sum(s => s.Frames) - ((plan.Shots.Count - 1) * plan.TransitionFrames));
        Assert.All(plan.Shots, s => Assert.True(s.Frames >= 2 * plan.TransitionFrames));
        Assert.All(plan.Shots.Where(s => s.IsVideo), s => Assert.True(s.StartFrame + Math.Min(s.Frames, 70) <= 72));
    }

    /// <summary>
    /// The reference picture: the image cover-scaled to the output size, through 4:2:0 as any
    /// H.264 frame is (testsrc2's saturated edges lose about 15 dB to chroma subsampling alone,
    /// which is the format's doing, not the renderer's).
    /// </summary>
    private const string Cover = "scale=w='max(864\\,ceil(iw*496/ih))':h='max(496\\,ceil(ih*864/iw))',crop=864:496,format=yuv420p";

    private static async Task AssertLengthAsync(string path, bool audio)
    {
        var probe = await FfmpegTool.ProbeAsync(path);
        var video = FfmpegTool.Stream(probe, "video")!;
        Assert.Equal(Frames.ToString(CultureInfo.InvariantCulture), (string)video["nb_read_frames"]!);
        Assert.Equal(Width, (int)video["width"]!);
        Assert.Equal(Height, (int)video["height"]!);
        var audioStream = FfmpegTool.Stream(probe, "audio");
        Assert.Equal(audio, audioStream is not null);
        if (audioStream is not null)
        {
            Assert.InRange(double.Parse((string)audioStream["duration"]!, CultureInfo.InvariantCulture), 3.95, 4.05);
        }
    }

    /// <summary>One frame (the first of the file after <paramref name="filter"/>) as raw RGB24 of the render's size.</summary>
    private static Task<byte[]> DecodeAsync(string? path, string? filter) => FrameCompare.DecodeAsync(path!, filter, Width, Height);

    private static double Psnr(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => FrameCompare.Psnr(a, b);

    private sealed class OnProgress(Action<int> action) : IProgress<int>
    {
        public void Report(int value) => action(value);
    }
}
