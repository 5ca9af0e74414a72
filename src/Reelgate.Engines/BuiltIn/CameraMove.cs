using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using static Reelgate.Engines.BuiltIn.FilterText;

namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// A virtual camera over a still (or a video shot): a zoom from 1 to <see cref="EndZoom"/> and a
/// path of the crop window's centre, eased in and out. Zoom 1 at the first frame, always, so
/// an image-to-video starts on its image. <see cref="EndZoom"/> below 1 zooms out: the picture
/// is placed on a blurred, dimmed canvas of itself that the camera pulls back to reveal.
/// <see cref="PathX"/> and <see cref="PathY"/> are ffmpeg expressions in P (progress 0-1, eased)
/// giving the window's position in its free room (0 left/top, 0.5 centre, 1 right/bottom).
/// </summary>
public sealed partial record CameraMove(string Name, double EndZoom, string PathX, string PathY)
{
    private static readonly (string Name, string[] Phrases)[] Moves =
    [
        ("zoom-out", ["zoom out", "zooming out", "pull back", "pulls back", "pulling back", "pullback", "dolly out", "reveal", "wide shot"]),
        ("pan-left", ["pan left", "pans left", "panning left", "track left", "to the left"]),
        ("pan-right", ["pan right", "pans right", "panning right", "track right", "to the right"]),
        ("tilt-up", ["tilt up", "tilts up", "rise", "rising", "crane up"]),
        ("tilt-down", ["tilt down", "tilts down", "descend", "crane down"]),
        ("orbit", ["orbit", "orbiting", "circle", "circling", "around"]),
        ("zoom-in", ["zoom in", "zooming in", "zoom", "push in", "push", "dolly in", "dolly", "closeup", "close up", "approach"]),
        ("drift", ["drift", "drifting", "float", "floating", "handheld", "sway"]),
        ("pan-right", ["pan", "panning", "tracking", "sweep", "glide"]),
    ];

    private static readonly string[] SeededMoves = ["zoom-in", "zoom-out", "pan-left", "pan-right", "drift", "orbit"];

    /// <summary>The move the prompt's motion words ask for (first match in the table), else one drawn from the seed.</summary>
    public static CameraMove FromPrompt(string prompt, byte[] hash)
    {
        var text = " " + Normalize(prompt) + " ";
        var name = Moves.FirstOrDefault(m => m.Phrases.Any(p => text.Contains(" " + p + " ", StringComparison.Ordinal))).Name
            ?? SeededMoves[hash[17] % SeededMoves.Length];
        var amount = text.Contains(" slow", StringComparison.Ordinal) || text.Contains(" gentle ", StringComparison.Ordinal) ? 0.6
            : text.Contains(" fast ", StringComparison.Ordinal) || text.Contains(" rapid", StringComparison.Ordinal) ? 1.5
            : 1.0;
        return Of(name, amount, hash[18], hash[19]);
    }

    /// <summary>A gentle move for a storyboard shot (zooming in or panning, never out), drawn from the shot's bytes.</summary>
    public static CameraMove Gentle(byte[] shotHash)
    {
        string[] gentle = ["zoom-in", "pan-left", "pan-right", "drift", "tilt-up", "tilt-down"];
        return Of(gentle[shotHash[0] % gentle.Length], 0.5 + (shotHash[1] / 255.0 * 0.3), shotHash[2], shotHash[3]);
    }

    private static CameraMove Of(string name, double amount, byte a, byte b)
    {
        var dx = ((a / 255.0) - 0.5) * 0.8;
        var dy = ((b / 255.0) - 0.5) * 0.8;
        return name switch
        {
            "zoom-out" => new CameraMove(name, 1 / (1 + (0.2 * amount)), "0.5", "0.5"),
            "pan-left" => new CameraMove(name, 1 + (0.15 * amount), "0.5-0.5*P", "0.5"),
            "pan-right" => new CameraMove(name, 1 + (0.15 * amount), "0.5+0.5*P", "0.5"),
            "tilt-up" => new CameraMove(name, 1 + (0.15 * amount), "0.5", "0.5-0.5*P"),
            "tilt-down" => new CameraMove(name, 1 + (0.15 * amount), "0.5", "0.5+0.5*P"),
            "orbit" => new CameraMove(name, 1 + (0.15 * amount), "0.5+0.5*sin(2*PI*P)", "0.5-0.5*sin(PI*P)"),
            "drift" => new CameraMove(name, 1 + (0.1 * amount), $"0.5+{F(dx)}*P", $"0.5+{F(dy)}*P"),
            _ => new CameraMove("zoom-in", 1 + (0.18 * amount), $"0.5+{F(dx / 4)}*P", $"0.5+{F(dy / 4)}*P"),
        };
    }

    public bool ZoomsOut => EndZoom < 1;

    /// <summary>
    /// The zoompan filter over <paramref name="frames"/> input frames of the canvas (d=1: one
    /// output frame per input frame). For a zoom out the canvas is the picture centred on a
    /// margin of 1/EndZoom, so zoompan's zoom runs from the canvas/picture ratio down to 1.
    /// </summary>
    public string Zoompan(int width, int height, int fps, int frames)
    {
        var last = I(Math.Max(1, frames - 1));
        var p = $"(min(on/{last}\\,1)*min(on/{last}\\,1)*(3-2*min(on/{last}\\,1)))";
        string zoom;
        if (ZoomsOut)
        {
            // A hair under the exact ratio, so zoompan's truncated window is the picture's size, not one pixel less.
            var (cw, _) = CanvasSize(width, height) ?? throw new InvalidOperationException("FitTo first");
            var start = cw / (width + 0.25);
            zoom = $"{F6(start)}-({F6(start - 1)})*{p}";
        }
        else
        {
            zoom = $"1+{F6(EndZoom - 1)}*{p}";
        }

        // P alone, not the P of PI (the orbit's path): replacing every P broke its sin(2*PI*P).
        var x = ProgressVariable().Replace(PathX, p);
        var y = ProgressVariable().Replace(PathY, p);
        return $"zoompan=z='{zoom}':x='(iw-iw/zoom)*({x})+0.5':y='(ih-ih/zoom)*({y})+0.5':d=1:s={I(width)}x{I(height)}:fps={I(fps)}";
    }

    /// <summary>
    /// The canvas of a zoom out: exactly proportional to the picture (so the first frame's crop
    /// window is the picture, pixel for pixel) with margins that are multiples of 2 (zoompan puts
    /// the window on even pixels in 4:2:0), about 1/EndZoom of its size; null when no such canvas
    /// is within 1.4 times the picture (sizes whose sides share only a small factor).
    /// </summary>
    public (int Width, int Height)? CanvasSize(int width, int height)
    {
        if (!ZoomsOut)
        {
            return (width, height);
        }

        var g = Gcd(width, height);
        var step = 4;
        var q = g + (step * (int)Math.Ceiling(g * ((1 / EndZoom) - 1) / step));
        return q > g * 1.4 ? null : (width / g * q, height / g * q);
    }

    /// <summary>This move, or a zoom in of the same amount when a zoom out has no exact canvas at this size.</summary>
    public CameraMove FitTo(int width, int height) =>
        CanvasSize(width, height) is null ? new CameraMove("zoom-in", 1 / EndZoom, "0.5", "0.5") : this;

    [GeneratedRegex(@"\bP\b")]
    private static partial Regex ProgressVariable();

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);

    /// <summary>
    /// The chain (from a cover-scaled WxH picture in <paramref name="input"/>) that builds the
    /// canvas once, before it is repeated: for a zoom out, the picture over a blurred, dimmed,
    /// stretched copy of itself; otherwise nothing.
    /// </summary>
    public string Canvas(string input, string output, int width, int height)
    {
        if (!ZoomsOut)
        {
            return $"{input}null{output}";
        }

        // The blur runs at an eighth of the size, once per render (before the loop filter repeats the canvas).
        var (cw, ch) = CanvasSize(width, height) ?? throw new InvalidOperationException("FitTo first");
        var n = output.Trim('[', ']');
        return $"{input}split[fg_{n}][bg_{n}];[bg_{n}]scale={I(Even(cw / 8))}:{I(Even(ch / 8))},gblur=sigma=4,scale={I(cw)}:{I(ch)}:flags=bilinear,eq=brightness=-0.12:saturation=0.8" +
            $"[blur_{n}];[blur_{n}][fg_{n}]overlay=x={I((cw - width) / 2)}:y={I((ch - height) / 2)},format=yuv420p{output}";
    }

    private static string F6(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Normalize(string prompt)
    {
        var b = new StringBuilder();
        foreach (var c in prompt.ToLowerInvariant())
        {
            b.Append(char.IsLetter(c) ? c : ' ');
        }

        return string.Join(' ', b.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
