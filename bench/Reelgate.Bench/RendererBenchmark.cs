using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Engines.BuiltIn;
using Reelgate.Engines.Ffmpeg;

namespace Reelgate.Bench;

/// <summary>
/// Renderer cost against a raw ffmpeg encode of the same size, frame count, x264 preset and
/// thread count (lavfi testsrc2), measured in one run, alternating the two so that machine
/// noise hits both alike. The ratio is median(renderer) / median(raw) per resolution.
/// Goal: &lt;= 1.15.
/// </summary>
public static class RendererBenchmark
{
    public static async Task<JsonObject> RunAsync(int repetitions, string preset, int threads, int seconds)
    {
        var renderer = new BuiltInRenderer(new BuiltInRendererOptions { Preset = preset, Threads = threads }, NullLogger<BuiltInRenderer>.Instance);
        var rows = new JsonArray();
        foreach (var (resolution, width, height) in new[] { ("480p", 864, 496), ("720p", 1280, 720), ("1080p", 1920, 1080) })
        {
            var spec = new GenerationSpec("bench", "A slow dolly shot through a futuristic botanical lab with soft volumetric light", "16:9", resolution, width, height, 24, seconds, false, 42, false);
            var ours = new List<double>();
            var raw = new List<double>();
            for (var i = 0; i < repetitions; i++)
            {
                raw.Add(await TimeRawAsync(width, height, seconds, preset, threads));
                ours.Add(await TimeRendererAsync(renderer, spec));
            }

            var ratio = Median(ours) / Median(raw);
            Console.WriteLine($"renderer {resolution}: renderer {Median(ours):0.000}s, raw testsrc2 encode {Median(raw):0.000}s, ratio {ratio:0.00} (goal <= 1.15)");
            rows.Add(new JsonObject
            {
                ["resolution"] = resolution,
                ["rendererSeconds"] = Math.Round(Median(ours), 4),
                ["rawSeconds"] = Math.Round(Median(raw), 4),
                ["ratio"] = Math.Round(ratio, 3),
                ["goal"] = 1.15,
                ["met"] = ratio <= 1.15,
            });
        }

        return new JsonObject
        {
            ["metric"] = "renderer cost vs raw ffmpeg encode",
            ["preset"] = preset,
            ["threads"] = threads,
            ["seconds"] = seconds,
            ["frames"] = seconds * 24,
            ["repetitions"] = repetitions,
            ["rows"] = rows,
        };
    }

    private static async Task<double> TimeRendererAsync(BuiltInRenderer renderer, GenerationSpec spec)
    {
        var output = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.mp4");
        var watch = Stopwatch.StartNew();
        var result = await renderer.GenerateAsync(new EngineJob("task_bench", spec, output), new Progress<int>(), CancellationToken.None);
        watch.Stop();
        File.Delete(output);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(result.FailMessage);
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> TimeRawAsync(int width, int height, int seconds, string preset, int threads)
    {
        var output = Path.Combine(Path.GetTempPath(), $"bench-raw-{Guid.NewGuid():N}.mp4");
        var watch = Stopwatch.StartNew();
        // Through the same runner as the renderer, so both sides pay the same start-up.
        await FfmpegProcess.RunAsync(
            "/usr/bin/ffmpeg",
            [
                "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
                "-f", "lavfi", "-i", $"testsrc2=s={width}x{height}:r=24:d={seconds.ToString(CultureInfo.InvariantCulture)}",
                "-c:v", "libx264", "-preset", preset, "-threads", threads.ToString(CultureInfo.InvariantCulture), "-pix_fmt", "yuv420p",
                "-movflags", "+faststart", "-f", "mp4", output,
            ],
            FfmpegRun.Default,
            CancellationToken.None);
        watch.Stop();
        File.Delete(output);
        return watch.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
