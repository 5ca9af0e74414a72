using Reelgate.Core.Catalog;

namespace Reelgate.Core.Engines;

/// <summary>
/// One generation: the task, the resolved spec, where to write the MP4, and where to write a
/// poster JPEG when the engine can make one (null: no poster wanted), and the attempt journal
/// an upstream engine records its upstream task id in (null outside a worker, e.g. benchmarks).
/// </summary>
public sealed record EngineJob(string TaskId, GenerationSpec Spec, string OutputPath, string? ThumbnailPath = null, IUpstreamJournal? Journal = null);
