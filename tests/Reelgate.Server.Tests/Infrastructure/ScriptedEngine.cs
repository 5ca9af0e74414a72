using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Reelgate.Core.Engines;

namespace Reelgate.Server.Tests.Infrastructure;

/// <summary>
/// A test engine registered under the built-in engine's name, so it replaces it. It records
/// every job it is given. Prompts steer it: containing <c>[fail]</c> it fails with
/// generation_failed; containing <c>[hold]</c> it waits until <see cref="Release"/> or
/// cancellation; otherwise it writes a small file (and a last frame when asked) and succeeds.
/// </summary>
public sealed class ScriptedEngine : IVideoEngine
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => "builtin";

    public ConcurrentQueue<EngineJob> Jobs { get; } = new();

    public TaskCompletionSource<EngineJob> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static ScriptedEngine AddTo(IServiceCollection services)
    {
        var engine = new ScriptedEngine();
        services.AddSingleton<IVideoEngine>(engine);
        return engine;
    }

    public void Release() => _release.TrySetResult();

    public EngineHealth CheckHealth() => new(true, "scripted test engine");

    public async Task<EngineResult> GenerateAsync(EngineJob job, IProgress<int> progress, CancellationToken ct)
    {
        Jobs.Enqueue(job);
        Started.TrySetResult(job);
        progress.Report(10);
        if (job.Spec.Prompt.Contains("[fail]", StringComparison.Ordinal))
        {
            return EngineResult.Failure("generation_failed", "scripted failure");
        }

        if (job.Spec.Prompt.Contains("[hold]", StringComparison.Ordinal))
        {
            await _release.Task.WaitAsync(ct);
        }

        await File.WriteAllTextAsync(job.OutputPath, "not really an mp4: " + job.TaskId, ct);
        if (job.LastFramePath is { } lastFrame)
        {
            await File.WriteAllTextAsync(lastFrame, "not really a png: " + job.TaskId, ct);
        }

        progress.Report(100);
        return EngineResult.Success();
    }
}
