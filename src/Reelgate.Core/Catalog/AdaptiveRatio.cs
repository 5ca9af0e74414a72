using System.Globalization;

namespace Reelgate.Core.Catalog;

/// <summary>
/// The adaptive ratio of an image-to-video: when the client asked for the model's adaptive
/// value and gave a first frame, the video takes the catalog ratio (of the spec's resolution)
/// whose aspect is nearest the image's, so the frame is neither squeezed nor cropped much. The
/// catalog leaves such a spec's size at 0x0 at create (the image is not looked at until the
/// worker has it); this fills it in.
/// </summary>
public static class AdaptiveRatio
{
    /// <summary>
    /// The spec with <see cref="GenerationSpec.Ratio"/>, <see cref="GenerationSpec.Width"/> and
    /// <see cref="GenerationSpec.Height"/> of the ratio nearest the first frame's size; without
    /// a first frame (null size), of the model's <see cref="OutputRules.AdaptiveDefault"/>. The
    /// spec is unchanged when its ratio is not the adaptive value or the resolution has no sizes.
    /// Nearness is measured in log(width/height), so 2:1 and 1:2 are equally far from 1:1; a
    /// tie goes to the ratio listed first.
    /// </summary>
    public static GenerationSpec Apply(ModelDefinition model, GenerationSpec spec, (int Width, int Height)? firstFrame)
    {
        if (model.Output.AdaptiveValue is not { } adaptive || spec.Ratio != adaptive
            || !model.Output.Sizes.TryGetValue(spec.Resolution, out var sizes))
        {
            return spec;
        }

        if (firstFrame is not { Width: > 0, Height: > 0 } image)
        {
            return model.Output.AdaptiveDefault is { } fallback && sizes.TryGetValue(fallback, out var size) && Parse(size) is { } d
                ? spec with { Ratio = fallback, Width = d.Width, Height = d.Height }
                : spec;
        }

        var imageWidth = image.Width;
        var imageHeight = image.Height;

        var target = Math.Log((double)imageWidth / imageHeight);
        (string Ratio, int Width, int Height)? best = null;
        var bestDistance = double.MaxValue;
        foreach (var (ratio, size) in sizes)
        {
            if (ratio == adaptive || Parse(size) is not { } wh)
            {
                continue;
            }

            var distance = Math.Abs(Math.Log((double)wh.Width / wh.Height) - target);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = (ratio, wh.Width, wh.Height);
            }
        }

        return best is { } b ? spec with { Ratio = b.Ratio, Width = b.Width, Height = b.Height } : spec;
    }

    /// <summary>A size of the catalog's table, <c>WIDTHxHEIGHT</c>.</summary>
    private static (int Width, int Height)? Parse(string size)
    {
        var parts = size.Split('x');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var w)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            && w > 0 && h > 0 ? (w, h) : null;
    }
}
