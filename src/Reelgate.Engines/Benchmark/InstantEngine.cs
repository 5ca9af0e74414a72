using System.Globalization;
using Reelgate.Core.Catalog;
using Reelgate.Core.Engines;
using Reelgate.Engines.BuiltIn;

namespace Reelgate.Engines.Benchmark;

/// <summary>
/// BENCHMARK-ONLY engine: completes at once by copying one short MP4 rendered on first use,
/// so that queue overhead (createTask answered -> engine started) can be measured without the
/// renderer's cost. Never the default: it runs only when <c>Reelgate:Benchmark:InstantEngine</c>
/// is true, and it writes the moment each job started to <see cref="PickupLogPath"/> (Unix
/// microseconds), which the benchmark driver pairs with the moment createTask answered.
/// </summary>
public sealed class InstantEngine(BuiltInRenderer renderer, string workDirectory, string? pickupLogPath) : IVideoEngine
{
    private readonly SemaphoreSlim _templateGate = new(1, 1);
    private readonly Lock _logLock = new();
    private string? _template;

    public string Name => "instant";

    public string? PickupLogPath => pickupLogPath;

    public EngineHealth CheckHealth() => new(true, "benchmark-only instant engine (copies one pre-rendered MP4)");

    public async Task<EngineResult> GenerateAsync(EngineJob job, IProgress<int> progress, CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        if (pickupLogPath is not null)
        {
            var micros = (started - DateTimeOffset.UnixEpoch).Ticks / 10;
            lock (_logLock)
            {
                File.AppendAllText(pickupLogPath, $"{job.TaskId} {micros.ToString(CultureInfo.InvariantCulture)}\n");
            }
        }

        var template = await TemplateAsync(ct);
        if (template is null)
        {
            return EngineResult.Failure("generation_failed", "the instant engine could not render its template MP4 (is ffmpeg installed?)");
        }

        File.Copy(template, job.OutputPath, overwrite: true);
        progress.Report(100);
        return EngineResult.Success();
    }

    private async Task<string?> TemplateAsync(CancellationToken ct)
    {
        if (_template is not null)
        {
            return _template;
        }

        await _templateGate.WaitAsync(ct);
        try
        {
            if (_template is null)
            {
                Directory.CreateDirectory(workDirectory);
                var path = Path.Combine(workDirectory, "instant-template.mp4");
                var spec = new GenerationSpec("instant", "instant engine template", "16:9", "480p", 864, 496, 24, 1, false, 1, false);
                var result = await renderer.GenerateAsync(new EngineJob("task_template", spec, path), new Progress<int>(), ct);
                _template = result.Succeeded ? path : null;
            }

            return _template;
        }
        finally
        {
            _templateGate.Release();
        }
    }
}
