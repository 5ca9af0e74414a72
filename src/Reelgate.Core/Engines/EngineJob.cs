using Reelgate.Core.Catalog;

namespace Reelgate.Core.Engines;

/// <summary>
/// One generation: the task, the resolved spec, where to write the MP4, and where to write a
/// poster JPEG when the engine can make one (null: no poster wanted), and the attempt journal
/// an upstream engine records its upstream task id in (null outside a worker, e.g. benchmarks),
/// plus the media inputs as local files and where the last frame goes when asked for.
/// </summary>
public sealed record EngineJob(string TaskId, GenerationSpec Spec, string OutputPath, string? ThumbnailPath = null, IUpstreamJournal? Journal = null)
{
    /// <summary>The spec's media inputs, fetched and checked, in the spec's order (empty for text-to-video).</summary>
    public IReadOnlyList<LocalMedia> Media { get; init; } = [];

    /// <summary>Where to write the video's last frame as a PNG when the spec asks for it (<see cref="GenerationSpec.ReturnLastFrame"/>); null otherwise.</summary>
    public string? LastFramePath { get; init; }
}

/// <summary>
/// A media input ready for an engine: the spec's input, what inspection found, the checked local
/// file (read-only for the engine), and the URL an upstream engine sends for it: the client's
/// original public URL, a signed URL of our stored copy (when <c>Reelgate:PublicBaseUrl</c> is
/// set), or a <c>data:</c> URI of the bytes.
/// </summary>
public sealed record LocalMedia(Media.MediaInput Input, Media.MediaInfo Info, string Path, string UpstreamUrl);
