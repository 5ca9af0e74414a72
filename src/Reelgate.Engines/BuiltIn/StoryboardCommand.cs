using System.Globalization;
using System.Text;
using Reelgate.Core.Catalog;
using static Reelgate.Engines.BuiltIn.FilterText;

namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// The ffmpeg command line of a reference-to-video preview: the shots of a
/// <see cref="StoryboardPlan"/>, each cover-scaled to the output size and moved by a gentle
/// camera, joined by crossfades (xfade) into exactly the spec's frame count; the caption shows
/// between the first and the last second. A reference audio is the soundtrack (padded or cut
/// to the duration, faded), else the procedural tone when audio is asked for. Deterministic
/// like <see cref="RenderCommand"/>: a still is one frame repeated a fixed number of times, a
/// video is read for at most the seconds its shot needs (-t) and trimmed by frame number.
/// </summary>
public static class StoryboardCommand
{
    public static List<string> Build(
        GenerationSpec s,
        PromptStyle style,
        StoryboardPlan plan,
        BuiltInRendererOptions options,
        string? referenceAudio,
        string output,
        string? captionFile,
        FrameOutputs stills)
    {
        var fps = I(s.Fps);
        var args = new List<string> { "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-progress", "pipe:1", "-nostats" };
        var graph = new StringBuilder();
        var cover = Cover(s.Width, s.Height);
        for (var i = 0; i < plan.Shots.Count; i++)
        {
            var shot = plan.Shots[i];
            var frames = shot.Frames;
            var zoompan = shot.Move.Zoompan(s.Width, s.Height, s.Fps, frames);
            if (shot.IsVideo)
            {
                var seconds = ((shot.StartFrame + frames) / (double)s.Fps) + 0.5;
                args.AddRange(["-t", Seconds(seconds), "-i", shot.Path]);
                // A video shorter than its shot holds its last frame (tpad), then the shot is cut to length.
                graph.Append(CultureInfo.InvariantCulture,
                    $"[{i}:v]fps={fps},trim=start_frame={shot.StartFrame},setpts=PTS-STARTPTS,{cover},format=yuv420p" +
                    $",tpad=stop_mode=clone:stop={frames},trim=end_frame={frames},setpts=N/({fps}*TB),{zoompan},settb=1/{fps},setpts=N[s{i}];");
            }
            else
            {
                args.AddRange(["-framerate", fps, "-i", shot.Path]);
                graph.Append(CultureInfo.InvariantCulture,
                    $"[{i}:v]{cover},format=yuv420p,loop=loop={frames - 1}:size=1:start=0,setpts=N/({fps}*TB),{zoompan},settb=1/{fps},setpts=N[s{i}];");
            }
        }

        // Each crossfade starts where the joined stream has `transition` frames left; the result
        // loses `transition` frames per join, which the plan has already added to the shots.
        var label = "[s0]";
        var length = plan.Shots[0].Frames;
        for (var i = 1; i < plan.Shots.Count; i++)
        {
            var offset = (length - plan.TransitionFrames) / (double)s.Fps;
            graph.Append(CultureInfo.InvariantCulture,
                $"{label}[s{i}]xfade=transition=fade:duration={Seconds(plan.TransitionFrames / (double)s.Fps)}:offset={Seconds(offset)}[j{i}];");
            label = $"[j{i}]";
            length += plan.Shots[i].Frames - plan.TransitionFrames;
        }

        graph.Append(label).Append("null");
        if (captionFile is not null)
        {
            graph.Append(CaptionLayout.Drawtext(s, options, captionFile, $"between(t,1,{I(s.DurationSeconds - 1)})"));
        }

        graph.Append(CultureInfo.InvariantCulture, $",trim=end_frame={s.FrameCount},format=yuv420p");
        var taps = new FrameTaps(s.FrameCount, stills.ThumbnailPath, stills.LastFramePath);
        taps.Append(graph);
        var audio = Soundtrack.Add(args, graph, s, style, referenceAudio, plan.Shots.Count);
        Mp4Output.Add(args, s, options, graph.ToString(), audio, $"procedural preview; reference-to-video; {plan.Shots.Count} shots; seed {s.Seed.ToString(CultureInfo.InvariantCulture)}", output, taps);
        return args;
    }
}
