using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Engines.BuiltIn;

namespace Reelgate.Engines.Tests;

/// <summary>The prompt drives the preview: vocabulary, clear differences, motion to the end, audible mood, honest metadata.</summary>
public sealed class PromptStyleTests
{
    private static readonly BuiltInRenderer Renderer = new(new BuiltInRendererOptions { Preset = "ultrafast" }, NullLogger<BuiltInRenderer>.Instance);

    [Theory]
    [InlineData("a golden sunset over the dunes", "sunset")]
    [InlineData("deep ocean with waves", "ocean")]
    [InlineData("neon city at midnight", "night")]
    [InlineData("lush forest", "forest")]
    [InlineData("cyberpunk alley", "neon")]
    [InlineData("something unlisted", "hash")]
    public void From_PicksPaletteFromFirstMatchingVocabulary(string prompt, string palette) =>
        Assert.Equal(palette, PromptStyle.From(prompt, 1).PaletteName);

    [Fact]
    public void From_PicksMotionTexturesAndMood()
    {
        var style = PromptStyle.From("Fast orbit through a rainy neon grid with light beams and dust particles, epic", 3);
        Assert.Equal("spiral", style.GradientType);
        Assert.Equal(0.05, style.Speed);
        Assert.Equal(["beams", "grid", "particles", "rain"], style.Textures.Order());
        Assert.Equal("epic", style.Mood.Name);
        Assert.Equal(0.006, PromptStyle.From("a slow calm pan", 3).Speed);
        Assert.Equal("linear", PromptStyle.From("a slow calm pan", 3).GradientType);
    }

    [Theory]
    [InlineData("heavy rain on a window")]
    [InlineData("snow falling on a winter town")]
    [InlineData("dust particles drifting")]
    [InlineData("volumetric light beams")]
    [InlineData("digital grid city")]
    [InlineData("ocean waves at dawn")]
    [InlineData("100% neon, 'quoted' \"words\" : colons \\ backslashes {braces} [brackets] $dollars")]
    public async Task GenerateAsync_RendersEveryTextureAndOddCharacters(string prompt)
    {
        var spec = new GenerationSpec("m", prompt, "16:9", "480p", 864, 496, 24, 1, true, 11, false);
        var (path, cleanup) = await RenderAsync(spec);
        using (cleanup)
        {
            var probe = await FfmpegTool.ProbeAsync(path);
            Assert.Contains("procedural preview", (string)probe["format"]!["tags"]!["title"]!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DifferentPrompts_LookClearlyDifferent()
    {
        var sunset = await MeanColorAsync(new GenerationSpec("m", "golden sunset", "16:9", "480p", 864, 496, 24, 1, false, 5, false), 0.5);
        var ocean = await MeanColorAsync(new GenerationSpec("m", "deep ocean", "16:9", "480p", 864, 496, 24, 1, false, 5, false), 0.5);
        var distance = Math.Abs(sunset.R - ocean.R) + Math.Abs(sunset.G - ocean.G) + Math.Abs(sunset.B - ocean.B);
        Assert.True(distance > 60, $"sunset {sunset} vs ocean {ocean}: {distance}");
    }

    [Fact]
    public async Task FifteenSecondVideo_KeepsMovingToTheEnd()
    {
        var spec = new GenerationSpec("m", "a drifting nebula", "16:9", "480p", 864, 496, 24, 15, false, 8, false);
        var (path, cleanup) = await RenderAsync(spec);
        using (cleanup)
        {
            var a = await FfmpegTool.FrameAsync(path, 13.5, "64:36");
            var b = await FfmpegTool.FrameAsync(path, 14.9, "64:36");
            var changed = a.Zip(b).Count(p => Math.Abs(p.First - p.Second) > 4);
            Assert.True(changed > a.Length / 20, $"only {changed} of {a.Length} samples changed between 13.5 s and 14.9 s");
        }
    }

    [Fact]
    public async Task Audio_IsAudibleAmbientNotSilence()
    {
        var spec = new GenerationSpec("m", "calm forest", "16:9", "480p", 864, 496, 24, 4, true, 8, false);
        var (path, cleanup) = await RenderAsync(spec);
        using (cleanup)
        {
            var psi = new ProcessStartInfo("/usr/bin/ffmpeg", ["-v", "info", "-nostats", "-i", path, "-map", "0:a", "-af", "volumedetect", "-f", "null", "-"]) { RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var log = await p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await p.WaitForExitAsync(TestContext.Current.CancellationToken);
            var line = log.Split('\n').First(l => l.Contains("mean_volume", StringComparison.Ordinal));
            var db = double.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Replace("dB", "", StringComparison.Ordinal).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(db, -40, -3);
        }
    }

    private static async Task<(string Path, IDisposable Cleanup)> RenderAsync(GenerationSpec spec)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"style-{Guid.NewGuid():N}.mp4");
        var result = await Renderer.GenerateAsync(new EngineJob("task_style", spec, path), new Progress<int>(), TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.FailMessage);
        return (path, new Deleter(path));
    }

    private static async Task<(double R, double G, double B)> MeanColorAsync(GenerationSpec spec, double at)
    {
        var (path, cleanup) = await RenderAsync(spec);
        using (cleanup)
        {
            var rgb = await FfmpegTool.FrameAsync(path, at, "64:36");
            double r = 0, g = 0, b = 0;
            for (var i = 0; i < rgb.Length; i += 3)
            {
                (r, g, b) = (r + rgb[i], g + rgb[i + 1], b + rgb[i + 2]);
            }

            var n = rgb.Length / 3.0;
            return (r / n, g / n, b / n);
        }
    }

    private sealed class Deleter(string path) : IDisposable
    {
        public void Dispose() => File.Delete(path);
    }
}
