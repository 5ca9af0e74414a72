using System.Globalization;
using System.Text;
using Reelgate.Core.Catalog;
using static Reelgate.Engines.BuiltIn.FilterText;

namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// The picture of a text-to-video preview, built to be cheap for x264 as well as for the filters
/// (issue 21: a gradient animated in every pixel and fresh noise in every frame made a render cost
/// up to 4.8x a raw encode of the same size). What costs an encoder is change it cannot predict;
/// what it predicts for free is a picture that moves as a whole. So:
/// <list type="bullet">
/// <item>the colour field (the palette's gradient, shaped by the motion word: linear, radial,
/// circular or spiral) is drawn once, on a canvas a quarter larger than the frame, with the grid
/// drawn onto it, and a camera glides over it (a crop that moves each frame: free for the filters,
/// and motion compensation predicts it exactly); the motion word picks the path, the speed words
/// its pace, waves add a swell;</item>
/// <item>rain, snow and particles are one static seeded pattern each (sparse soft specks or
/// streaks), scrolled a whole number of pixels per frame at a quarter of the size, scaled up once
/// and lightened onto the picture (lighten keeps the speck's own value, so a moving speck is the
/// same pixels wherever it goes);</item>
/// <item>a beam is a translucent band overlaid where it is, stepping across with the camera.</item>
/// </list>
/// </summary>
internal sealed record TextScene(PromptStyle Style, GenerationSpec Spec)
{
    /// <summary>Speck patterns, in the order they are split from the one pattern source.</summary>
    private static readonly string[] Specks = ["rain", "snow", "particles"];

    private int LowWidth => Even(Spec.Width / 4);

    private int LowHeight => Even(Spec.Height / 4);

    /// <summary>The camera's room on each side: an eighth of the frame, even (4:2:0 crops on even pixels).</summary>
    private int MarginX => Even(Spec.Width / 8);

    private int MarginY => Even(Spec.Height / 8);

    private int BeamWidth => Even(Math.Max(8, Spec.Width / 10));

    private IReadOnlyList<string> SpeckLayers => [.. Specks.Where(Style.Textures.Contains)];

    /// <summary>The lavfi inputs from index 0: the colour field, then the beam and the speck source when the prompt has them. Returns the next free index.</summary>
    public int AddInputs(List<string> args)
    {
        // The colour field and the beam are one still each, the specks one still per pattern:
        // their sources make one frame (a source of the whole duration computed every frame for
        // nothing: the gradient alone cost 0.8 s CPU per 720p render, on another thread).
        var frame = Seconds(1.0 / Spec.Fps);
        var step = Seconds(2.0 / Spec.Fps);
        var c = Style.Colors;
        var (cw, ch) = (Spec.Width + (2 * MarginX), Spec.Height + (2 * MarginY));
        args.AddRange(["-f", "lavfi", "-i",
            $"gradients=s={I(Even(cw / 4))}x{I(Even(ch / 4))}:r={I(Spec.Fps)}:d={frame}:c0={c[0]}:c1={c[1]}:c2={c[2]}:c3={c[3]}:nb_colors=4:seed={Style.SourceSeed}:type={Style.GradientType}"]);
        var next = 1;
        if (Style.Textures.Contains("beams"))
        {
            args.AddRange(["-f", "lavfi", "-i", $"color=c=white:s={I(BeamWidth)}x{I(Spec.Height)}:r={I(Spec.Fps)}:d={frame}"]);
            next++;
        }

        if (SpeckLayers.Count == 0)
        {
            return next;
        }

        // At half the frame rate ("on twos"): every other frame the specks stand still, and a
        // frame the encoder has seen already costs it next to nothing (a third less per render).
        args.AddRange(["-f", "lavfi", "-i", $"color=c=gray:s={I(LowWidth)}x{I(LowHeight)}:r={I(Spec.Fps)}/2:d={step}"]);
        return next + 1;
    }

    /// <summary>The video chain from the inputs of <see cref="AddInputs"/> to the full-size picture (unlabelled, to be continued).</summary>
    public string Graph()
    {
        var graph = new StringBuilder();
        var (cw, ch) = (Spec.Width + (2 * MarginX), Spec.Height + (2 * MarginY));
        var layers = SpeckLayers;
        var beams = Style.Textures.Contains("beams");
        if (layers.Count > 0)
        {
            graph.Append(CultureInfo.InvariantCulture, $"[{(beams ? 2 : 1)}:v]format=yuv420p");
            graph.Append(layers.Count == 1 ? "[sp0];" : $",split={I(layers.Count)}" + string.Concat(layers.Select((_, i) => $"[sp{I(i)}]")) + ";");
            for (var i = 0; i < layers.Count; i++)
            {
                graph.Append(CultureInfo.InvariantCulture, $"[sp{i}]{Speck(layers[i], i)}[tx{i}];");
            }

            // One layer of all specks (lightest wins), scaled up once per frame.
            var label = "[tx0]";
            for (var i = 1; i < layers.Count; i++)
            {
                graph.Append(CultureInfo.InvariantCulture, $"{label}[tx{i}]blend=all_mode=lighten[mx{i}];");
                label = $"[mx{i}]";
            }

            graph.Append(CultureInfo.InvariantCulture, $"{label}fps={Spec.Fps},trim=end_frame={Spec.FrameCount},scale={Spec.Width}:{Spec.Height}:flags=bilinear[specks];");
        }

        // The canvas: one frame, scaled up and gridded once, repeated, and seen through the moving crop.
        graph.Append(CultureInfo.InvariantCulture, $"[0:v]trim=end_frame=1,format=yuv420p,scale={I(cw)}:{I(ch)}:flags=bilinear");
        if (Style.Textures.Contains("grid"))
        {
            graph.Append(CultureInfo.InvariantCulture, $",drawgrid=w={I(Math.Max(8, Spec.Width / 12))}:h={I(Math.Max(8, Spec.Height / 8))}:t=2:c=white@0.22");
        }

        graph.Append(CultureInfo.InvariantCulture, $",loop=loop={I(Spec.FrameCount - 1)}:size=1:start=0,setpts=N/({I(Spec.Fps)}*TB),crop={I(Spec.Width)}:{I(Spec.Height)}:x='{PathX()}':y='{PathY()}'");
        if (layers.Count > 0)
        {
            graph.Append("[bg];[bg][specks]blend=c0_mode=lighten:c1_mode=normal:c2_mode=normal");
        }

        if (beams)
        {
            // A translucent band overlaid where it is (overlay touches only its own columns and
            // moves it each step; drawbox evaluates its position once, so it never moved).
            var period = Spec.Width + BeamWidth;
            graph.Insert(0, $"[1:v]trim=end_frame=1,format=yuva420p,colorchannelmixer=aa=0.18,loop=loop={I(Spec.FrameCount - 1)}:size=1:start=0,setpts=N/({I(Spec.Fps)}*TB)[beam];");
            graph.Append(CultureInfo.InvariantCulture, $"[lit];[lit][beam]overlay=x='mod({T}*{Spec.Width / 6}\\,{period})-{BeamWidth}':y=0:format=yuv420:eof_action=pass");
        }

        return graph.ToString();
    }

    /// <summary>Angular speed of the camera path in radians per second: slow about a 17 s cycle, default about 5 s, fast about 2 s.</summary>
    private string Omega => F(Style.Speed * 2 * Math.PI * 10);

    private string Phase => F(Style.Hash[14] / 255.0 * 2 * Math.PI);

    /// <summary>The crop's left edge, 0..2*MarginX: the motion word's path (see the class summary).</summary>
    private string PathX() => Style.GradientType switch
    {
        "spiral" => Around(MarginX, $"cos({Omega}*{T}+{Phase})"),
        _ => Around(MarginX, $"sin({Omega}*{T}+{Phase})"),
    };

    /// <summary>
    /// The camera's clock: time at the last even frame, so the camera moves on the frames the
    /// specks do (on twos). Alone it saves nothing; with specks, frames where nothing moves at all
    /// are what makes them cheap.
    /// </summary>
    private string T => $"(2*floor(n/2)/{I(Spec.Fps)})";

    /// <summary>The crop's top edge, 0..2*MarginY; waves add a two-second swell.</summary>
    private string PathY()
    {
        var path = Style.GradientType switch
        {
            "spiral" => $"sin({Omega}*{T}+{Phase})",
            "radial" => $"sin({Omega}*{T}+{Phase})",
            "circular" => $"sin(2*{Omega}*{T}+{Phase})",
            _ => "0",
        };
        return Style.Textures.Contains("waves") ? Around(MarginY, $"(0.6*{path}+0.4*sin(PI*{T}))") : Around(MarginY, path);
    }

    private static string Around(int margin, string unit) => $"{I(margin)}+{I(margin)}*{unit}";

    /// <summary>
    /// One speck pattern: seeded noise (static: no temporal flag) thresholded to a few pixels in a
    /// thousand, softened, and scrolled a whole number of pixels per step (a step is two frames,
    /// see <see cref="AddInputs"/>): rain falls fast in
    /// thin streaks, snow (a coarser pattern, its pixels doubled) drifts down and sideways,
    /// particles rise. Sparse on purpose: each speck costs the encoder the blocks it crosses.
    /// </summary>
    private string Speck(string texture, int index)
    {
        var seed = (Style.SourceSeed + (uint)index) % 1_000_000;
        var (w, h) = (LowWidth, LowHeight);
        // Two seeded patterns, ANDed: one in ninety pixels of the first (what clips at the top of
        // the noise) and the share of the second above `cut`; a product of two is steady across
        // seeds, where one pattern's thin tail came out empty for some seeds.
        string Pattern(int cut, bool coarse) =>
            (coarse ? $"scale={I(Even(w / 2))}:{I(Even(h / 2))}," : "") +
            $"split[a{index}][b{index}];[a{index}]noise=c0s=100:all_seed={I((int)seed)},lutyuv=y='if(gt(val,250),255,0)':u=128:v=128[a{index}x];" +
            $"[b{index}]noise=c0s=100:all_seed={I((int)((seed + 7919) % 1_000_000))},lutyuv=y='if(gt(val,{I(cut)}),255,0)':u=128:v=128[b{index}x];" +
            $"[a{index}x][b{index}x]blend=c0_mode=and:c1_mode=normal:c2_mode=normal" +
            (coarse ? $",scale={I(w)}:{I(h)}:flags=neighbor" : "");
        // The pattern is made once and repeated (one frame per step), then moved.
        var steps = (Spec.FrameCount + 1) / 2;
        var hold = $",loop=loop={I(steps - 1)}:size=1:start=0,setpts=N/({I(Spec.Fps)}/2*TB)";
        return texture switch
        {
            "rain" => Pattern(170, coarse: false) + hold + $",scroll=v={Step(-8, h)},gblur=sigma=0.3:sigmaV=4,lutyuv=y='min(255,val*4)':u=128:v=128",
            "snow" => Pattern(128, coarse: true) + $",gblur=sigma=0.8,lutyuv=y='min(235,val*2)':u=128:v=128" + hold + $",scroll=v={Step(-2, h)}:h={Step(1, w)}",
            _ => Pattern(200, coarse: false) + $",gblur=sigma=0.5,lutyuv=y='min(220,val*2)':u=128:v=128" + hold + $",scroll=v={Step(2, h)}",
        };
    }

    /// <summary>A scroll speed of <paramref name="pixels"/> per step as the fraction of the size scroll takes.</summary>
    private static string Step(int pixels, int size) => (pixels / (double)size).ToString("0.#########", CultureInfo.InvariantCulture);
}
