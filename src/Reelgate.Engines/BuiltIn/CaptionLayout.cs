using System.Globalization;
using System.Text;

namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// Wraps the prompt into a caption that fits the frame at every ratio, 9:16 and 21:9 included:
/// the font size follows the frame's short side, and lines are filled by the estimated width of
/// each glyph in DejaVu Sans (rounded up, so wide capitals like M and W fit too), never by a
/// character count. Words longer than a line are cut with an ellipsis; past six lines the text
/// ends with an ellipsis. Tested by rendering with and without the caption and checking that no
/// changed pixel touches the frame's edge.
/// </summary>
public static class CaptionLayout
{
    private const int MaxLines = 6;
    private const double UsableWidth = 0.84;

    public static int FontSize(int width, int height) => Math.Max(12, Math.Min(width, height) / 20);

    /// <summary>The caption text as drawtext reads it from a file (percent signs doubled).</summary>
    public static string Wrap(string prompt, int width, int height)
    {
        var maxEm = width * UsableWidth / FontSize(width, height);
        var lines = new List<string>();
        var line = new StringBuilder();
        var lineEm = 0.0;
        foreach (var raw in prompt.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var word = Fit(new string(raw.Where(c => !char.IsControl(c)).ToArray()), maxEm);
            if (word.Length == 0)
            {
                continue;
            }

            var wordEm = Em(word);
            if (line.Length > 0 && lineEm + Em(" ") + wordEm > maxEm)
            {
                lines.Add(line.ToString());
                line.Clear();
                lineEm = 0;
            }

            if (line.Length > 0)
            {
                line.Append(' ');
                lineEm += Em(" ");
            }

            line.Append(word);
            lineEm += wordEm;
        }

        if (line.Length > 0)
        {
            lines.Add(line.ToString());
        }

        if (lines.Count > MaxLines)
        {
            lines = lines.Take(MaxLines).ToList();
            lines[^1] = Fit(lines[^1] + "…", maxEm, forceEllipsis: true);
        }

        // drawtext expands %{...} sequences in text files; a literal percent is written %%.
        return string.Join('\n', lines).Replace("%", "%%", StringComparison.Ordinal);
    }

    /// <summary>
    /// The drawtext filter (with its leading comma) that draws the caption file near the bottom,
    /// on an opaque box: a see-through box showed the moving picture through it, so the text's
    /// blocks changed every frame (x264 spent a tenth of a raw encode on them; BENCHMARKS.md);
    /// <paramref name="enable"/> limits when it shows (an ffmpeg expression in t), null: always.
    /// </summary>
    internal static string Drawtext(Core.Catalog.GenerationSpec s, BuiltInRendererOptions options, string captionFile, string? enable = null)
    {
        var size = FontSize(s.Width, s.Height);
        var text = string.Create(CultureInfo.InvariantCulture,
            $",drawtext=fontfile='{options.FontPath}':textfile='{captionFile}':fontsize={size}:fontcolor=white:line_spacing={size / 3}" +
            $":box=1:boxcolor=0x141414:boxborderw={size / 2}:fix_bounds=1:x=(w-text_w)/2:y=h-text_h-h/12");
        return enable is null ? text : text + ":enable='" + enable + "'";
    }

    /// <summary>Cuts text to fit <paramref name="maxEm"/>, ending with an ellipsis when cut.</summary>
    private static string Fit(string text, double maxEm, bool forceEllipsis = false)
    {
        if (!forceEllipsis && Em(text) <= maxEm)
        {
            return text;
        }

        var body = forceEllipsis ? text.TrimEnd('…') : text;
        var ellipsis = Em("…");
        var kept = new StringBuilder();
        var em = 0.0;
        foreach (var rune in body.EnumerateRunes())
        {
            var w = Em(rune);
            if (em + w + ellipsis > maxEm)
            {
                break;
            }

            kept.Append(rune.ToString());
            em += w;
        }

        return kept.Append('…').ToString();
    }

    private static double Em(string text)
    {
        var em = 0.0;
        foreach (var rune in text.EnumerateRunes())
        {
            em += Em(rune);
        }

        return em;
    }

    /// <summary>Upper bounds of DejaVu Sans advance widths, in em, by class of character.</summary>
    private static double Em(Rune r)
    {
        if (r.Value is 'M' or 'W' or 'm' or 'w' or '@' or '%')
        {
            return 1.0;
        }

        if (r.Value is 'i' or 'l' or 'j' or 'I' or '.' or ',' or ':' or ';' or '\'' or '!' or '|')
        {
            return 0.35;
        }

        if (r.Value == ' ')
        {
            return 0.33;
        }

        if (r.Value < 0x80)
        {
            return Rune.IsUpper(r) ? 0.8 : 0.66;
        }

        // Wide scripts (CJK, emoji) and anything unknown: a full em.
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.OtherLetter or UnicodeCategory.OtherSymbol || r.Value > 0x2E80 ? 1.05 : 0.8;
    }
}
