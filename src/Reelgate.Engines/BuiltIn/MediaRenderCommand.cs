using System.Globalization;
using System.Text;
using Reelgate.Core.Catalog;
using static Reelgate.Engines.BuiltIn.FilterText;

namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// The ffmpeg command line of an image-to-video preview: the first image, cover-scaled to the
/// output size once and repeated, moved by a <see cref="CameraMove"/> (zoom 1 at frame 0, so the
/// video starts on the image); with a last image, a crossfade over the last second lands exactly
/// on it at the final frame. The caption shows only between the first and the last second, so
/// both ends are clean. Deterministic like <see cref="RenderCommand"/>: each still is read once
/// (one frame) and repeated a fixed number of times by the loop filter, so every source is
/// bounded; bitexact flags, fixed threads, no -shortest, no -frames:v on the MP4.
/// </summary>
public static class MediaRenderCommand
{
    public static List<string> Build(
        GenerationSpec s,
        PromptStyle style,
        CameraMove move,
        BuiltInRendererOptions options,
        ImageToVideoInputs inputs,
        string output,
        string? captionFile,
        FrameOutputs stills)
    {
        var n = s.FrameCount;
        var fps = I(s.Fps);
        var args = new List<string> { "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1", "-nostats" };
        args.AddRange(["-framerate", fps, "-i", inputs.FirstImage]);
        var graph = new StringBuilder();
        graph.Append(CultureInfo.InvariantCulture, $"[0:v]{Cover(s.Width, s.Height)},format=yuv420p[first];");
        graph.Append(move.Canvas("[first]", "[canvas]", s.Width, s.Height));
        graph.Append(CultureInfo.InvariantCulture,
            $";[canvas]loop=loop={n - 1}:size=1:start=0,setpts=N/({fps}*TB),{move.Zoompan(s.Width, s.Height, s.Fps, n)},settb=1/{fps},setpts=N");
        var nextInput = 1;
        if (inputs.LastImage is { } lastImage)
        {
            // The crossfade's last frame is entirely the last image: the fade spans fade-1 frame
            // intervals and the image stream holds fade frames, so xfade's progress reaches 0 there.
            var fade = Math.Min(s.Fps, Math.Max(2, n / 2));
            args.AddRange(["-framerate", fps, "-i", lastImage]);
            nextInput++;
            graph.Append(CultureInfo.InvariantCulture,
                $"[cam];[1:v]{Cover(s.Width, s.Height)},format=yuv420p,loop=loop={fade - 1}:size=1:start=0,settb=1/{fps},setpts=N[end]" +
                $";[cam][end]xfade=transition=fade:duration={Seconds((fade - 1) / (double)s.Fps)}:offset={Seconds((n - fade) / (double)s.Fps)}");
        }

        if (captionFile is not null)
        {
            graph.Append(CaptionLayout.Drawtext(s, options, captionFile, $"between(t,1,{I(s.DurationSeconds - 1)})"));
        }

        graph.Append(",format=yuv420p");
        var taps = new FrameTaps(n, stills.ThumbnailPath, stills.LastFramePath);
        taps.Append(graph);
        var audio = Soundtrack.Add(args, graph, s, style, inputs.Audio, nextInput);
        Mp4Output.Add(args, s, options, graph.ToString(), audio, $"procedural preview; image-to-video; camera {move.Name}; seed {s.Seed.ToString(CultureInfo.InvariantCulture)}", output, taps);
        return args;
    }
}
