using System.Globalization;
using System.Text;
using Reelgate.Core.Catalog;
using static Reelgate.Engines.BuiltIn.FilterText;

namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// Builds the ffmpeg command line for one render. Cheap by construction: the moving gradient
/// and the textures are computed at a quarter of the output size and scaled up (they are smooth,
/// so nothing is lost), and only the caption and grid are drawn at full size. Deterministic:
/// bitexact flags, fixed threads, every source bounded by its own duration, no -shortest, no
/// -frames:v (which would cut the audio), and only fixed metadata.
/// </summary>
public static class RenderCommand
{
    public const string Title = "Reelgate built-in procedural preview (not AI output)";

    public static List<string> Build(GenerationSpec s, PromptStyle style, BuiltInRendererOptions options, string output, string? captionFile, string? thumbnailPath = null, string? lastFramePath = null, string? referenceAudio = null)
    {
        var d = s.DurationSeconds.ToString(CultureInfo.InvariantCulture);
        var lw = Even(s.Width / 4);
        var lh = Even(s.Height / 4);
        var c = style.Colors;
        var args = new List<string>
        {
            "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1", "-nostats",
            "-f", "lavfi", "-i",
            $"gradients=s={lw}x{lh}:r={s.Fps}:d={d}:c0={c[0]}:c1={c[1]}:c2={c[2]}:c3={c[3]}:nb_colors=4:seed={style.SourceSeed}:speed={F(style.Speed)}:type={style.GradientType}",
        };

        var graph = new StringBuilder("[0:v]format=yuv420p");
        if (style.Textures.Contains("waves"))
        {
            graph.Append(",hue=h='8*sin(2*PI*t/3)':s='1+0.25*sin(2*PI*t/2)'");
        }

        if (style.Textures.Contains("rain"))
        {
            graph.Append(CultureInfo.InvariantCulture, $",noise=c0s=45:c0f=t+u:all_seed={style.SourceSeed % 1_000_000},gblur=sigma=0.3:sigmaV=5");
        }

        if (style.Textures.Contains("snow"))
        {
            graph.Append(CultureInfo.InvariantCulture, $",noise=c0s=70:c0f=t:all_seed={(style.SourceSeed + 1) % 1_000_000},lutyuv=y='if(gt(val,200),255,val*0.9)'");
        }

        if (style.Textures.Contains("particles"))
        {
            graph.Append(CultureInfo.InvariantCulture, $",noise=c0s=30:c0f=t+p:all_seed={(style.SourceSeed + 2) % 1_000_000}");
        }

        graph.Append(CultureInfo.InvariantCulture, $",scale={s.Width}:{s.Height}:flags=bilinear");
        if (style.Textures.Contains("beams"))
        {
            var beamWidth = Math.Max(8, s.Width / 10);
            graph.Append(CultureInfo.InvariantCulture, $",drawbox=x='mod(t*{s.Width / 6}\\,{s.Width + beamWidth})-{beamWidth}':y=0:w={beamWidth}:h=ih:color=white@0.18:t=fill");
        }

        if (style.Textures.Contains("grid"))
        {
            graph.Append(CultureInfo.InvariantCulture, $",drawgrid=w={Math.Max(8, s.Width / 12)}:h={Math.Max(8, s.Height / 8)}:t=1:c=white@0.22");
        }

        if (captionFile is not null)
        {
            graph.Append(CaptionLayout.Drawtext(s, options, captionFile));
        }

        var taps = new FrameTaps(s.FrameCount, thumbnailPath, lastFramePath);
        taps.Append(graph);
        // Without a reference audio this is the procedural tone when asked for, as it always was.
        var audio = Soundtrack.Add(args, graph, s, style, referenceAudio, 1);
        Mp4Output.Add(args, s, options, graph.ToString(), audio, "procedural preview; palette " + style.PaletteName + "; seed " + s.Seed.ToString(CultureInfo.InvariantCulture), output, taps);
        return args;
    }
}
