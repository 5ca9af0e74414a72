using System.Globalization;
using System.Text;
using Reelgate.Core.Catalog;
using static Reelgate.Engines.BuiltIn.FilterText;

namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// Builds the ffmpeg command line for one text-to-video render: the picture of
/// <see cref="TextScene"/> (cheap to filter and to encode by construction), the caption, the
/// soundtrack and the MP4 with its stills. Deterministic:
/// bitexact flags, fixed threads, every source bounded by its own duration, no -shortest, no
/// -frames:v (which would cut the audio), and only fixed metadata.
/// </summary>
public static class RenderCommand
{
    public const string Title = "Reelgate built-in procedural preview (not AI output)";

    public static List<string> Build(GenerationSpec s, PromptStyle style, BuiltInRendererOptions options, string output, string? captionFile, string? thumbnailPath = null, string? lastFramePath = null, string? referenceAudio = null)
    {
        var args = new List<string> { "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1", "-nostats" };
        var scene = new TextScene(style, s);
        var nextInput = scene.AddInputs(args);
        var graph = new StringBuilder(scene.Graph());
        if (captionFile is not null)
        {
            graph.Append(CaptionLayout.Drawtext(s, options, captionFile));
        }

        var taps = new FrameTaps(s.FrameCount, thumbnailPath, lastFramePath);
        taps.Append(graph);
        // Without a reference audio this is the procedural tone when asked for, as it always was.
        var audio = Soundtrack.Add(args, graph, s, style, referenceAudio, nextInput);
        Mp4Output.Add(args, s, options, graph.ToString(), audio, "procedural preview; palette " + style.PaletteName + "; seed " + s.Seed.ToString(CultureInfo.InvariantCulture), output, taps, smoothPicture: true);
        return args;
    }
}
