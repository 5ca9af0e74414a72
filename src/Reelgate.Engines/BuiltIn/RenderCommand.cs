using System.Globalization;
using System.Text;
using Reelgate.Core.Catalog;

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

    public static List<string> Build(GenerationSpec s, PromptStyle style, BuiltInRendererOptions options, string output, string? captionFile, string? thumbnailPath = null)
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
            var size = CaptionLayout.FontSize(s.Width, s.Height);
            graph.Append(CultureInfo.InvariantCulture,
                $",drawtext=fontfile='{options.FontPath}':textfile='{captionFile}':fontsize={size}:fontcolor=white:line_spacing={size / 3}" +
                $":box=1:boxcolor=black@0.45:boxborderw={size / 2}:fix_bounds=1:x=(w-text_w)/2:y=h-text_h-h/12");
        }

        if (thumbnailPath is not null)
        {
            // The poster is the middle frame, taken from the same pipeline (no second ffmpeg run).
            var middle = s.FrameCount / 2;
            graph.Append(CultureInfo.InvariantCulture, $",split=2[v][t];[t]trim=start_frame={middle}:end_frame={middle + 1}[thumb]");
        }
        else
        {
            graph.Append("[v]");
        }

        if (s.Audio)
        {
            var m = style.Mood;
            args.AddRange([
                "-f", "lavfi", "-i", $"sine=f={F(m.RootHz)}:r=48000:d={d}",
                "-f", "lavfi", "-i", $"sine=f={F(m.ThirdHz)}:r=48000:d={d}",
                "-f", "lavfi", "-i", $"sine=f={F(m.FifthHz)}:r=48000:d={d}",
                "-f", "lavfi", "-i", $"anoisesrc=d={d}:c={m.NoiseColor}:r=48000:a={F(m.NoiseLevel)}:seed={style.SourceSeed % int.MaxValue}",
            ]);
            graph.Append(CultureInfo.InvariantCulture,
                $";[1:a][2:a][3:a][4:a]amix=inputs=4:duration=longest:weights=1 0.6 0.7 1,tremolo=f={F(m.PulseHz)}:d=0.4,afade=t=in:d=0.5,afade=t=out:st={F(Math.Max(0, s.DurationSeconds - 0.5))}:d=0.5,volume=0.8[a]");
        }

        // Filters get the same thread budget as x264: ffmpeg's default (one filter thread per core)
        // oversubscribes the cores when renders run in parallel (about 10% slower per pair here).
        var threads = options.Threads.ToString(CultureInfo.InvariantCulture);
        args.AddRange(["-filter_complex_threads", threads, "-filter_complex", graph.ToString(), "-map", "[v]"]);
        if (s.Audio)
        {
            args.AddRange(["-map", "[a]", "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2"]);
        }

        args.AddRange([
            "-c:v", "libx264", "-preset", options.Preset, "-threads", options.Threads.ToString(CultureInfo.InvariantCulture),
            "-pix_fmt", "yuv420p", "-r", s.Fps.ToString(CultureInfo.InvariantCulture),
            "-movflags", "+faststart", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
            "-map_metadata", "-1", "-metadata", "title=" + Title, "-metadata", "comment=procedural preview; palette " + style.PaletteName + "; seed " + s.Seed.ToString(CultureInfo.InvariantCulture),
            "-f", "mp4", output,
        ]);
        if (thumbnailPath is not null)
        {
            args.AddRange(["-map", "[thumb]", "-frames:v", "1", "-q:v", "4", "-update", "1", "-f", "image2", thumbnailPath]);
        }

        return args;
    }

    private static int Even(int n) => Math.Max(2, n - (n % 2));

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
