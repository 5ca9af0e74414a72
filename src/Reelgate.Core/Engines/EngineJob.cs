using Reelgate.Core.Catalog;

namespace Reelgate.Core.Engines;

/// <summary>One generation: the task, the resolved spec, and where to write the MP4.</summary>
public sealed record EngineJob(string TaskId, GenerationSpec Spec, string OutputPath);
