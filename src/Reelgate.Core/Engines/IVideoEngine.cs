namespace Reelgate.Core.Engines;

/// <summary>
/// A video generation engine: takes a job, reports progress (0-100), and either writes the
/// MP4 to <see cref="EngineJob.OutputPath"/> or returns a typed failure with a failCode.
/// Cancellation (lease lost, shutdown, timeout) must stop the work and leave no process behind.
/// </summary>
public interface IVideoEngine
{
    /// <summary>The name the catalog uses to route a model to this engine.</summary>
    string Name { get; }

    /// <summary>Whether the engine can run here, with a message saying what is missing when not.</summary>
    EngineHealth CheckHealth();

    Task<EngineResult> GenerateAsync(EngineJob job, IProgress<int> progress, CancellationToken ct);
}
