using System.Text;
using static Reelgate.Engines.BuiltIn.FilterText;

namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// Stills taken from the same pipeline as the MP4 (no second ffmpeg run): the poster JPEG (the
/// middle frame) and the last frame as a PNG. The graph's final video chain ends in [v].
/// </summary>
internal sealed record FrameTaps(int FrameCount, string? ThumbnailPath, string? LastFramePath)
{
    /// <summary>Ends the current chain: a split feeding [v] and the taps, or just the [v] label.</summary>
    public void Append(StringBuilder graph)
    {
        if (ThumbnailPath is null && LastFramePath is null)
        {
            graph.Append("[v]");
            return;
        }

        var middle = FrameCount / 2;
        var count = 1 + (ThumbnailPath is null ? 0 : 1) + (LastFramePath is null ? 0 : 1);
        graph.Append($",split={count}[v]").Append(ThumbnailPath is null ? "" : "[t]").Append(LastFramePath is null ? "" : "[l]");
        if (ThumbnailPath is not null)
        {
            graph.Append($";[t]trim=start_frame={I(middle)}:end_frame={I(middle + 1)}[thumb]");
        }

        if (LastFramePath is not null)
        {
            graph.Append($";[l]trim=start_frame={I(FrameCount - 1)}:end_frame={I(FrameCount)}[last]");
        }
    }

    public void AddOutputs(List<string> args)
    {
        if (ThumbnailPath is not null)
        {
            args.AddRange(["-map", "[thumb]", "-frames:v", "1", "-q:v", "4", "-update", "1", "-f", "image2", ThumbnailPath]);
        }

        if (LastFramePath is not null)
        {
            args.AddRange(["-map", "[last]", "-frames:v", "1", "-c:v", "png", "-pix_fmt", "rgb24", "-update", "1", "-f", "image2", LastFramePath]);
        }
    }
}
