using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Engines.BuiltIn;

namespace Reelgate.Bench;

/// <summary>
/// Saturated end-to-end: a backlog of 480p 4 s tasks whose prompts go round the vocabulary
/// (every palette, texture, motion and speed word appears), run by the server's workers with the
/// thread count the server gives a render, against the bound cores x 60 / raw encode time of the
/// same size and duration at that thread count. The server's own <c>reelgate.task.stage_duration</c>
/// histogram (read from <c>/metrics</c> before and after) says where each task's time went, and
/// each prompt rendered alone says what parallel runs cost each other. Goal: &gt;= 0.85x.
/// </summary>
public static class EndToEndBenchmark
{
    public const double Goal = 0.85;

    private static readonly string[] Prompts =
    [
        "a golden sunset over dunes, slow pan",
        "deep underwater light beams, orbit",
        "city grid at night with rain and sparkles, orbit",
        "a botanical garden in gentle rain, zoom",
        "cyberpunk tunnel, fast",
        "a canyon at dawn with dust, tracking",
        "arctic snowfall, calm",
        "volcano embers and fire, frantic",
        "ocean waves at dusk",
        "a quiet study of shapes",
        "neon wireframe portal with sparkles",
        "city lights zoom",
    ];

    private static readonly string[] Stages = ["claim", "prepare", "render", "finish", "store", "commit"];

    public static async Task<JsonObject> RunAsync(string serverDll, int tasks, int workers)
    {
        var threads = BuiltInRendererOptions.ThreadsFor(0, workers, Environment.ProcessorCount);
        var catalog = RendererMatrix.LoadCatalog();
        var spec = RendererMatrix.Cases(catalog, 4).First(c => c.Name == "plain 480p 16:9").Spec;
        var raw = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            raw.Add((await RendererBenchmark.TimeRawAsync(spec, "veryfast", threads)).Wall);
        }

        var rawSeconds = RendererBenchmark.Median(raw);
        var bound = Environment.ProcessorCount * 60 / rawSeconds;
        // The bound assumes the raw encode scales perfectly over the cores; what it really does
        // when one per worker runs at once (as renders do) is the fair yardstick beside it.
        var rawParallelPerMinute = await RawParallelAsync(spec, threads, workers);
        var alone = await AloneAsync(spec, threads);

        using var server = await ServerUnderTest.StartAsync(serverDll, new Dictionary<string, string> { ["Reelgate__Workers"] = workers.ToString(CultureInfo.InvariantCulture) });
        var key = await server.FundedKeyAsync(Core.Accounts.Credits.MaxBalance);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        // Warm-up, not counted: one task per worker (JIT, first ffmpeg start); the goal is the saturated steady state.
        await RunBatchAsync(client, Math.Max(1, workers), 1000);
        var before = await StageSumsAsync(client);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await RunBatchAsync(client, tasks, 0);
        var elapsed = started.Elapsed.TotalSeconds;
        var after = await StageSumsAsync(client);

        var perMinute = tasks / (elapsed / 60);
        var ratio = perMinute / bound;
        // A worker slot's seconds per task: what the stages account for, and the rest (the slot idle
        // between a task's end and its next claim: dispatcher wake-up, the claim's wait for a slot).
        var slotSeconds = elapsed * workers / tasks;
        var breakdown = new JsonObject();
        var accounted = 0.0;
        foreach (var stage in Stages)
        {
            var (sum, count) = (after.GetValueOrDefault(stage).Sum - before.GetValueOrDefault(stage).Sum, after.GetValueOrDefault(stage).Count - before.GetValueOrDefault(stage).Count);
            var mean = count > 0 ? sum / count : 0;
            accounted += mean;
            breakdown[stage] = Math.Round(mean * 1000, 2);
        }

        breakdown["unaccounted"] = Math.Round((slotSeconds - accounted) * 1000, 2);
        var renderInRun = (double)breakdown["render"]! / 1000;
        var aloneMean = alone.Average();
        Console.WriteLine($"saturated end-to-end ({workers} workers x {threads} x264 threads, {tasks} tasks of 480p 4 s over {Prompts.Length} prompts): {perMinute:0.0} tasks/min vs bound {bound:0.0} ({ratio:0.00}x, goal >= {Goal})");
        Console.WriteLine($"  per task (ms): " + string.Join(", ", breakdown.Select(p => $"{p.Key} {p.Value}")) + $"; slot time {slotSeconds * 1000:0} ms");
        Console.WriteLine($"  raw encodes {workers} at a time: {rawParallelPerMinute:0.0}/min ({rawParallelPerMinute / bound:0.00}x the bound); the server reaches {perMinute / rawParallelPerMinute:0.00}x of that");
        Console.WriteLine($"  render alone {aloneMean:0.000} s mean vs raw {rawSeconds:0.000} s ({aloneMean / rawSeconds:0.00}x); in the saturated run {renderInRun:0.000} s ({renderInRun / aloneMean:0.00}x alone: parallel renders share caches and memory bandwidth)");
        return new JsonObject
        {
            ["metric"] = "saturated end-to-end vs cores x 60 / raw encode",
            ["workers"] = workers,
            ["threads"] = threads,
            ["tasks"] = tasks,
            ["prompts"] = new JsonArray([.. Prompts.Select(p => (JsonNode)p)]),
            ["tasksPerMinute"] = Math.Round(perMinute, 1),
            ["boundPerMinute"] = Math.Round(bound, 1),
            ["rawSeconds"] = Math.Round(rawSeconds, 4),
            ["ratio"] = Math.Round(ratio, 3),
            ["goal"] = Goal,
            ["met"] = ratio >= Goal,
            ["rawParallelPerMinute"] = Math.Round(rawParallelPerMinute, 1),
            ["ratioVsRawParallel"] = Math.Round(perMinute / rawParallelPerMinute, 3),
            ["stageMs"] = breakdown,
            ["slotMsPerTask"] = Math.Round(slotSeconds * 1000, 1),
            ["renderAloneSeconds"] = Math.Round(aloneMean, 4),
            ["renderAloneVsRaw"] = Math.Round(aloneMean / rawSeconds, 3),
            ["renderInRunVsAlone"] = Math.Round(renderInRun / aloneMean, 3),
        };
    }

    /// <summary>Raw encodes of the task's size, <paramref name="workers"/> at a time, each worker running 4 in a row: encodes per minute.</summary>
    private static async Task<double> RawParallelAsync(GenerationSpec spec, int threads, int workers)
    {
        const int Each = 4;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, workers)).Select(async _ =>
        {
            for (var i = 0; i < Each; i++)
            {
                await RendererBenchmark.TimeRawAsync(spec, "veryfast", threads);
            }
        }));
        return Math.Max(1, workers) * Each / (watch.Elapsed.TotalSeconds / 60);
    }

    /// <summary>Each prompt rendered alone, in this process, as a worker would (poster included).</summary>
    private static async Task<List<double>> AloneAsync(GenerationSpec size, int threads)
    {
        var renderer = new BuiltInRenderer(new BuiltInRendererOptions { Threads = threads }, NullLogger<BuiltInRenderer>.Instance);
        var times = new List<double>();
        foreach (var prompt in Prompts)
        {
            var output = Path.Combine(Path.GetTempPath(), $"e2e-alone-{Guid.NewGuid():N}.mp4");
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var result = await renderer.GenerateAsync(new EngineJob("task_alone", size with { Prompt = prompt }, output, output + ".jpg"), new Progress<int>(), CancellationToken.None);
            times.Add(watch.Elapsed.TotalSeconds);
            File.Delete(output);
            File.Delete(output + ".jpg");
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(result.FailMessage);
            }
        }

        return times;
    }

    /// <summary>Creates <paramref name="tasks"/> tasks at once (prompts in turn) and waits until every one has ended.</summary>
    private static async Task RunBatchAsync(HttpClient client, int tasks, int seedBase)
    {
        var ids = await Task.WhenAll(Enumerable.Range(0, tasks).Select(async i =>
        {
            var input = new JsonObject { ["prompt"] = Prompts[i % Prompts.Length], ["resolution"] = "480p", ["duration"] = 4, ["seed"] = seedBase + i };
            var body = new JsonObject { ["model"] = "seedance-2.0-text-to-video", ["input"] = input }.ToJsonString();
            var response = await client.PostAsync("/api/v1/jobs/createTask", new StringContent(body, Encoding.UTF8, "application/json"));
            var answer = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            return (string?)answer["data"]?["taskId"] ?? throw new InvalidOperationException("createTask refused: " + answer.ToJsonString());
        }));
        foreach (var id in ids)
        {
            while (true)
            {
                var data = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/jobs/recordInfo?taskId={id}"))!["data"]!;
                var state = (string)data["state"]!;
                if (state == "fail")
                {
                    throw new InvalidOperationException($"benchmark task {id} failed: {data["failMsg"]}");
                }

                if (state == "success")
                {
                    break;
                }

                // Polls cost the server little, but not nothing: a user's client polls too.
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Sum and count of <c>reelgate_task_stage_duration_seconds</c> per stage, from <c>/metrics</c>.</summary>
    private static async Task<Dictionary<string, (double Sum, double Count)>> StageSumsAsync(HttpClient client)
    {
        var text = await client.GetStringAsync("/metrics");
        var sums = new Dictionary<string, (double Sum, double Count)>();
        foreach (var line in text.Split('\n'))
        {
            var isSum = line.StartsWith("reelgate_task_stage_duration_seconds_sum{", StringComparison.Ordinal);
            var isCount = line.StartsWith("reelgate_task_stage_duration_seconds_count{", StringComparison.Ordinal);
            var at = line.IndexOf("stage=\"", StringComparison.Ordinal);
            if ((!isSum && !isCount) || at < 0)
            {
                continue;
            }

            var stage = line[(at + 7)..line.IndexOf('"', at + 7)];
            var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            var (sum, count) = sums.GetValueOrDefault(stage);
            sums[stage] = isSum ? (value, count) : (sum, value);
        }

        return sums;
    }

    /// <summary>Writes the result beside the others.</summary>
    public static async Task<string> WriteAsync(JsonObject result, string outDir)
    {
        var file = Path.Combine(outDir, $"e2e-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        await File.WriteAllTextAsync(file, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return file;
    }
}
