using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Core.Media;
using Reelgate.Engines.BuiltIn;
using Reelgate.Engines.Ffmpeg;

namespace Reelgate.Bench;

/// <summary>
/// Renderer cost over the whole prompt vocabulary (<see cref="RendererMatrix"/>) against a raw
/// ffmpeg encode (lavfi testsrc2) of the same size, frame count, x264 preset and thread count,
/// the thread count the server gives a render (<see cref="BuiltInRendererOptions.ThreadsFor"/>).
/// Each repetition renders every case once and, before it, the raw encode of its size, so that
/// machine noise hits both alike; a case's ratio is median(render) / median(raw of its size).
/// Renders write the poster JPEG as the server's do. Goals: worst &lt;= 1.15, median &lt;= 0.8.
/// </summary>
public static class RendererBenchmark
{
    public const double WorstGoal = 1.15;
    public const double MedianGoal = 0.8;

    public static async Task<JsonObject> RunAsync(ModelCatalog catalog, int repetitions, string preset, int threads, int seconds, string? only)
    {
        var renderer = new BuiltInRenderer(new BuiltInRendererOptions { Preset = preset, Threads = threads }, NullLogger<BuiltInRenderer>.Instance);
        var media = Directory.CreateTempSubdirectory("bench-media-").FullName;
        try
        {
            var inputs = await BenchMedia.CreateAsync(media);
            var cases = RendererMatrix.Cases(catalog, seconds)
                .Where(c => only is null || c.Name.Contains(only, StringComparison.OrdinalIgnoreCase))
                .ToList();
            var ours = cases.ToDictionary(c => c.Name, _ => new List<Run>());
            var raw = new Dictionary<(int, int), List<Run>>();
            if (cases.Count > 0)
            {
                // Unmeasured: the first ffmpeg runs load the libraries and the font from disk.
                await TimeRawAsync(cases[0].Spec, preset, threads);
                await TimeRenderAsync(renderer, cases[0], inputs);
            }

            var loadBefore = LoadAverage.Read();
            for (var r = 0; r < repetitions; r++)
            {
                foreach (var c in cases)
                {
                    var size = (c.Spec.Width, c.Spec.Height);
                    if (!raw.TryGetValue(size, out var list))
                    {
                        raw[size] = list = [];
                    }

                    list.Add(await TimeRawAsync(c.Spec, preset, threads));
                    ours[c.Name].Add(await TimeRenderAsync(renderer, c, inputs));
                }

                Console.WriteLine($"renderer matrix: repetition {r + 1} of {repetitions} done ({cases.Count} cases)");
            }

            return Report(cases, ours, raw, preset, threads, seconds, repetitions, new JsonObject { ["start"] = loadBefore.ToJson(), ["end"] = LoadAverage.Read().ToJson() });
        }
        finally
        {
            Directory.Delete(media, recursive: true);
        }
    }

    private static JsonObject Report(List<RendererCase> cases, Dictionary<string, List<Run>> ours, Dictionary<(int, int), List<Run>> raw, string preset, int threads, int seconds, int repetitions, JsonObject load)
    {
        var rows = new JsonArray();
        var ratios = new Dictionary<string, double>();
        var cpuRatios = new List<double>();
        foreach (var c in cases)
        {
            var rawRuns = raw[(c.Spec.Width, c.Spec.Height)];
            var rawMedian = Median(rawRuns.Select(r => r.Wall).ToList());
            var ratio = Median(ours[c.Name].Select(r => r.Wall).ToList()) / rawMedian;
            var cpuRatio = Median(ours[c.Name].Select(r => r.Cpu).ToList()) / Median(rawRuns.Select(r => r.Cpu).ToList());
            ratios[c.Name] = ratio;
            cpuRatios.Add(cpuRatio);
            rows.Add(new JsonObject
            {
                ["case"] = c.Name,
                ["group"] = c.Group,
                ["prompt"] = c.Spec.Prompt,
                ["size"] = $"{c.Spec.Width}x{c.Spec.Height}",
                ["resolution"] = c.Spec.Resolution,
                ["audio"] = c.Spec.Audio,
                ["renderSeconds"] = Math.Round(Median(ours[c.Name].Select(r => r.Wall).ToList()), 4),
                ["rawSeconds"] = Math.Round(rawMedian, 4),
                ["ratio"] = Math.Round(ratio, 3),
                ["cpuRatio"] = Math.Round(cpuRatio, 3),
            });
        }

        // What each feature adds: its case against the plain case of the same size.
        var costs = new JsonArray();
        foreach (var c in cases.Where(c => c.Baseline is not null && ratios.ContainsKey(c.Baseline)))
        {
            costs.Add(new JsonObject { ["feature"] = c.Name, ["ratioOverPlain"] = Math.Round(ratios[c.Name] - ratios[c.Baseline!], 3) });
        }

        var byResolution = new JsonArray();
        foreach (var group in cases.GroupBy(c => $"{c.Spec.Resolution} {c.Spec.Ratio}").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var values = group.Select(c => ratios[c.Name]).ToList();
            var worst = group.MaxBy(c => ratios[c.Name])!;
            byResolution.Add(new JsonObject
            {
                ["size"] = group.Key,
                ["cases"] = values.Count,
                ["median"] = Math.Round(Median(values), 3),
                ["worst"] = Math.Round(values.Max(), 3),
                ["worstCase"] = worst.Name,
            });
        }

        var all = ratios.Values.ToList();
        var worstAll = ratios.MaxBy(p => p.Value);
        var median = all.Count == 0 ? double.NaN : Median(all);
        Console.WriteLine($"renderer matrix: {all.Count} cases, median {median:0.00}x (goal <= {MedianGoal}), worst {worstAll.Value:0.00}x {worstAll.Key} (goal <= {WorstGoal}), threads {threads}; CPU time: median {Median(cpuRatios):0.00}x, worst {cpuRatios.Max():0.00}x");
        foreach (var row in byResolution)
        {
            Console.WriteLine($"  {row!["size"]}: {row["cases"]} cases, median {row["median"]}x, worst {row["worst"]}x ({row["worstCase"]})");
        }

        return new JsonObject
        {
            ["metric"] = "renderer cost vs raw ffmpeg encode, whole vocabulary",
            ["preset"] = preset,
            ["threads"] = threads,
            ["seconds"] = seconds,
            ["repetitions"] = repetitions,
            ["median"] = Math.Round(median, 3),
            ["worst"] = Math.Round(worstAll.Value, 3),
            ["worstCase"] = worstAll.Key,
            ["medianGoal"] = MedianGoal,
            ["worstGoal"] = WorstGoal,
            ["met"] = median <= MedianGoal && worstAll.Value <= WorstGoal,
            ["cpuMedian"] = Math.Round(Median(cpuRatios), 3),
            ["cpuWorst"] = Math.Round(cpuRatios.Max(), 3),
            ["load"] = load,
            ["bySize"] = byResolution,
            ["featureCost"] = costs,
            ["rows"] = rows,
        };
    }

    /// <summary>One timed ffmpeg run: wall seconds and CPU seconds (<see cref="ChildCpu"/>).</summary>
    public readonly record struct Run(double Wall, double Cpu);

    private static async Task<Run> TimeRenderAsync(BuiltInRenderer renderer, RendererCase c, BenchMedia inputs)
    {
        var output = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.mp4");
        var poster = output + ".jpg";
        var job = new EngineJob("task_bench", c.Spec, output, poster) { Media = inputs.For(c.Mode) };
        var cpu = ChildCpu.Seconds();
        var watch = Stopwatch.StartNew();
        var result = await renderer.GenerateAsync(job, new Progress<int>(), CancellationToken.None);
        watch.Stop();
        var run = new Run(watch.Elapsed.TotalSeconds, ChildCpu.Seconds() - cpu);
        File.Delete(output);
        File.Delete(poster);
        return result.Succeeded ? run : throw new InvalidOperationException($"{c.Name}: {result.FailMessage}");
    }

    /// <summary>The yardstick: testsrc2 of the same size and frames, same preset and threads, through the same runner.</summary>
    public static async Task<Run> TimeRawAsync(GenerationSpec s, string preset, int threads)
    {
        var output = Path.Combine(Path.GetTempPath(), $"bench-raw-{Guid.NewGuid():N}.mp4");
        var cpu = ChildCpu.Seconds();
        var watch = Stopwatch.StartNew();
        await FfmpegProcess.RunAsync(
            "/usr/bin/ffmpeg",
            [
                "-hide_banner", "-nostdin", "-y", "-loglevel", "error",
                "-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"testsrc2=s={s.Width}x{s.Height}:r={s.Fps}:d={s.DurationSeconds}"),
                "-c:v", "libx264", "-preset", preset, "-threads", threads.ToString(CultureInfo.InvariantCulture), "-pix_fmt", "yuv420p",
                "-movflags", "+faststart", "-f", "mp4", output,
            ],
            FfmpegRun.Default,
            CancellationToken.None);
        watch.Stop();
        var run = new Run(watch.Elapsed.TotalSeconds, ChildCpu.Seconds() - cpu);
        File.Delete(output);
        return run;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

/// <summary>The media a client would upload for the image and reference modes, made once with ffmpeg.</summary>
internal sealed record BenchMedia(LocalMedia First, LocalMedia Last, LocalMedia ReferenceImage, LocalMedia ReferenceVideo)
{
    public static async Task<BenchMedia> CreateAsync(string directory)
    {
        var first = Path.Combine(directory, "first.jpg");
        var last = Path.Combine(directory, "last.jpg");
        var reference = Path.Combine(directory, "reference.jpg");
        var clip = Path.Combine(directory, "clip.mp4");
        await Ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=1280x720", "-frames:v", "1", first]);
        await Ffmpeg(["-f", "lavfi", "-i", "gradients=s=1280x720:seed=3:c0=0x2040ff:c1=0xffa020", "-frames:v", "1", last]);
        await Ffmpeg(["-f", "lavfi", "-i", "mandelbrot=s=1024x768", "-frames:v", "1", reference]);
        await Ffmpeg(["-f", "lavfi", "-i", "testsrc2=s=1280x720:r=24:d=6", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", clip]);
        return new BenchMedia(
            Image(MediaRoles.FirstFrame, first, 1280, 720),
            Image(MediaRoles.LastFrame, last, 1280, 720),
            Image(MediaRoles.ReferenceImage, reference, 1024, 768),
            new LocalMedia(new MediaInput(MediaRoles.ReferenceVideo, "video_urls", 0, "https://example.invalid/clip.mp4"), new MediaInfo(MediaKind.Video, "video/mp4", "mp4", new FileInfo(clip).Length, 1280, 720, 6), clip, ""));
    }

    public IReadOnlyList<LocalMedia> For(string mode) => mode switch
    {
        "image" => [First],
        "image-last" => [First, Last],
        "reference" => [ReferenceImage, ReferenceVideo],
        _ => [],
    };

    private static LocalMedia Image(string role, string path, int width, int height) =>
        new(new MediaInput(role, "image_urls", 0, "https://example.invalid/" + Path.GetFileName(path)), new MediaInfo(MediaKind.Image, "image/jpeg", "jpg", new FileInfo(path).Length, width, height, 0), path, "");

    private static async Task Ffmpeg(string[] args)
    {
        var exit = await FfmpegProcess.RunAsync("/usr/bin/ffmpeg", ["-hide_banner", "-nostdin", "-y", "-loglevel", "error", .. args], FfmpegRun.Default, CancellationToken.None);
        if (exit.ExitCode != 0)
        {
            throw new InvalidOperationException("ffmpeg could not make the benchmark media: " + exit.ErrorTail);
        }
    }
}
