using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Engines.BuiltIn;

namespace Reelgate.Engines.Tests;

/// <summary>The built-in renderer's output, checked with ffprobe for every ratio x resolution of the spec.</summary>
public sealed class RendererProbeTests
{
    private static readonly BuiltInRenderer Renderer = new(new BuiltInRendererOptions { Preset = "ultrafast" }, NullLogger<BuiltInRenderer>.Instance);

    public static TheoryData<string, string, int, int> Sizes => new()
    {
        { "480p", "16:9", 864, 496 }, { "480p", "4:3", 752, 560 }, { "480p", "1:1", 640, 640 },
        { "480p", "3:4", 560, 752 }, { "480p", "9:16", 496, 864 }, { "480p", "21:9", 992, 432 },
        { "720p", "16:9", 1280, 720 }, { "720p", "4:3", 1112, 834 }, { "720p", "1:1", 960, 960 },
        { "720p", "3:4", 834, 1112 }, { "720p", "9:16", 720, 1280 }, { "720p", "21:9", 1470, 630 },
        { "1080p", "16:9", 1920, 1080 }, { "1080p", "4:3", 1664, 1248 }, { "1080p", "1:1", 1440, 1440 },
        { "1080p", "3:4", 1248, 1664 }, { "1080p", "9:16", 1080, 1920 }, { "1080p", "21:9", 2206, 946 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task GenerateAsync_ProducesExactStreams_ForEveryRatioAndResolution(string resolution, string ratio, int width, int height)
    {
        // Audio on for half of the sweep, so both shapes of the file are probed at every size class.
        var audio = (width + height) % 4 == 0;
        var spec = new GenerationSpec("m", $"sweep {resolution} {ratio}", ratio, resolution, width, height, 24, 1, audio, 7, false);
        await WithOutputAsync(spec, async path =>
        {
            var probe = await FfmpegTool.ProbeAsync(path);
            var video = FfmpegTool.Stream(probe, "video")!;
            Assert.Equal("h264", (string)video["codec_name"]!);
            Assert.Equal("yuv420p", (string)video["pix_fmt"]!);
            Assert.Equal(width, (int)video["width"]!);
            Assert.Equal(height, (int)video["height"]!);
            Assert.Equal("24/1", (string)video["r_frame_rate"]!);
            Assert.Equal("24", (string)video["nb_read_frames"]!);
            var audioStream = FfmpegTool.Stream(probe, "audio");
            Assert.Equal(audio, audioStream is not null);
            if (audioStream is not null)
            {
                Assert.Equal("aac", (string)audioStream["codec_name"]!);
            }

            Assert.True(MoovBeforeMdat(path), "faststart: moov must precede mdat");
        });
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(5, true)]
    public async Task GenerateAsync_WritesTwentyFourTimesDurationFrames_AndAudioAsLongAsVideo(int seconds, bool audio)
    {
        var spec = new GenerationSpec("m", "length check", "16:9", "480p", 864, 496, 24, seconds, audio, 3, false);
        await WithOutputAsync(spec, async path =>
        {
            var probe = await FfmpegTool.ProbeAsync(path);
            Assert.Equal((24 * seconds).ToString(System.Globalization.CultureInfo.InvariantCulture), (string)FfmpegTool.Stream(probe, "video")!["nb_read_frames"]!);
            if (audio)
            {
                var audioSeconds = double.Parse((string)FfmpegTool.Stream(probe, "audio")!["duration"]!, System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(audioSeconds, seconds - 0.05, seconds + 0.05);
            }
        });
    }

    [Fact]
    public async Task GenerateAsync_IsByteIdentical_ForEqualSpecs_AndDiffers_ForOtherPromptOrSeed()
    {
        var spec = new GenerationSpec("m", "the same every time", "1:1", "480p", 640, 640, 24, 1, true, 99, false);
        var a = await BytesAsync(spec);
        var b = await BytesAsync(spec);
        Assert.Equal(a, b);
        Assert.NotEqual(a, await BytesAsync(spec with { Prompt = "something else" }));
        Assert.NotEqual(a, await BytesAsync(spec with { Seed = 100 }));
    }

    [Fact]
    public async Task GenerateAsync_WritesPosterAndStaysByteIdentical_WhenThumbnailIsRequested()
    {
        var spec = new GenerationSpec("m", "poster please", "9:16", "480p", 496, 864, 24, 2, true, 5, false);
        var runs = new List<byte[]>();
        for (var i = 0; i < 2; i++)
        {
            var output = Path.Combine(Path.GetTempPath(), $"poster-{Guid.NewGuid():N}.mp4");
            var poster = output + ".jpg";
            try
            {
                var result = await Renderer.GenerateAsync(new EngineJob("task_poster", spec, output, poster), new Progress<int>(), TestContext.Current.CancellationToken);
                Assert.True(result.Succeeded, result.FailMessage);
                var jpeg = await File.ReadAllBytesAsync(poster, TestContext.Current.CancellationToken);
                Assert.True(jpeg.Length > 1000 && jpeg[0] == 0xFF && jpeg[1] == 0xD8, "not a JPEG");
                runs.Add(await File.ReadAllBytesAsync(output, TestContext.Current.CancellationToken));
            }
            finally
            {
                File.Delete(output);
                File.Delete(poster);
            }
        }

        Assert.Equal(runs[0], runs[1]);
    }

    [Fact]
    public async Task GenerateAsync_ReportsMonotonicProgressEndingAt100()
    {
        var seen = new List<int>();
        var progress = new SynchronousProgress(seen);
        var spec = new GenerationSpec("m", "progress", "16:9", "480p", 864, 496, 24, 4, false, 1, false);
        var output = Path.Combine(Path.GetTempPath(), $"progress-{Guid.NewGuid():N}.mp4");
        try
        {
            var result = await Renderer.GenerateAsync(new EngineJob("task_progress", spec, output), progress, TestContext.Current.CancellationToken);
            Assert.True(result.Succeeded, result.FailMessage);
            Assert.Equal(100, seen[^1]);
            Assert.Equal(seen.Order(), seen);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task GenerateAsync_KillsFfmpegAndLeavesNoFiles_WhenCancelled()
    {
        var dir = Directory.CreateTempSubdirectory("cancel-").FullName;
        var output = Path.Combine(dir, "out.mp4");
        var spec = new GenerationSpec("m", "cancel me", "16:9", "1080p", 1920, 1080, 24, 15, true, 1, false);
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        var progress = new Callback(p =>
        {
            if (p > 0)
            {
                started.TrySetResult();
            }
        });
        var run = Renderer.GenerateAsync(new EngineJob("task_cancel", spec, output), progress, cts.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
        Assert.DoesNotContain(Process.GetProcessesByName("ffmpeg"), p => CommandLine(p).Contains(dir, StringComparison.Ordinal));
        Directory.Delete(dir);
    }

    [Fact]
    public async Task GenerateAsync_FailsWithInstallHint_WhenFfmpegIsMissing()
    {
        var renderer = new BuiltInRenderer(new BuiltInRendererOptions { FfmpegPath = "/nonexistent/ffmpeg" }, NullLogger<BuiltInRenderer>.Instance);
        Assert.False(renderer.CheckHealth().Available);
        var spec = new GenerationSpec("m", "x", "16:9", "480p", 864, 496, 24, 4, false, 1, false);
        var result = await renderer.GenerateAsync(new EngineJob("task_x", spec, Path.Combine(Path.GetTempPath(), "never.mp4")), new Progress<int>(), TestContext.Current.CancellationToken);
        Assert.False(result.Succeeded);
        Assert.Equal("generation_failed", result.FailCode);
        Assert.Contains("apt-get install ffmpeg", result.FailMessage, StringComparison.Ordinal);
    }

    private static async Task<byte[]> BytesAsync(GenerationSpec spec)
    {
        byte[] bytes = [];
        await WithOutputAsync(spec, async path => bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
        return bytes;
    }

    private static async Task WithOutputAsync(GenerationSpec spec, Func<string, Task> check)
    {
        var output = Path.Combine(Path.GetTempPath(), $"probe-{Guid.NewGuid():N}.mp4");
        try
        {
            var result = await Renderer.GenerateAsync(new EngineJob("task_probe", spec, output), new Progress<int>(), TestContext.Current.CancellationToken);
            Assert.True(result.Succeeded, result.FailMessage);
            await check(output);
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>Reads the top-level MP4 boxes: with +faststart the moov box comes before mdat.</summary>
    private static bool MoovBeforeMdat(string path)
    {
        using var f = File.OpenRead(path);
        var header = new byte[8];
        var order = new List<string>();
        while (f.Position < f.Length && f.Read(header, 0, 8) == 8)
        {
            long size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = System.Text.Encoding.ASCII.GetString(header, 4, 4);
            if (size == 1)
            {
                var big = new byte[8];
                f.ReadExactly(big);
                size = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(big);
                f.Seek(size - 16, SeekOrigin.Current);
            }
            else
            {
                f.Seek(size - 8, SeekOrigin.Current);
            }

            order.Add(type);
        }

        return order.IndexOf("moov") is >= 0 and var moov && moov < order.IndexOf("mdat");
    }

    private static string CommandLine(Process p)
    {
        try
        {
            return File.ReadAllText($"/proc/{p.Id}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    private sealed class SynchronousProgress(List<int> seen) : IProgress<int>
    {
        public void Report(int value)
        {
            lock (seen)
            {
                seen.Add(value);
            }
        }
    }

    private sealed class Callback(Action<int> action) : IProgress<int>
    {
        public void Report(int value) => action(value);
    }
}
