using System.Globalization;
using Reelgate.Core.Catalog;

namespace Reelgate.Bench;

/// <summary>One render of the matrix: a spec (and the media mode), the plain case it adds to.</summary>
public sealed record RendererCase(string Name, string Group, GenerationSpec Spec, string Mode, string? Baseline);

/// <summary>
/// The renders a user's prompts make, covering the whole vocabulary of docs/renderer.md: every
/// palette, texture, motion and speed at 720p 16:9; audio on and off; the heaviest prompts
/// (every texture at once, the worst of issue 21) at 480p, 720p and 1080p in 16:9, 9:16 and
/// 21:9; the image-to-video and reference-to-video modes. Sizes and frame rate come from the
/// catalog, as the server resolves them.
/// </summary>
public static class RendererMatrix
{
    private const string Model = "seedance-2.0-text-to-video";

    /// <summary>The server's catalog, as the benchmarks read it from the repository root.</summary>
    public static ModelCatalog LoadCatalog() => ModelCatalog.Load(Path.Combine("src", "Reelgate.Server", "catalog", "models.json"));

    /// <summary>Every texture word at once, fast, with a palette: the heaviest text prompt.</summary>
    public const string Everything = "fast neon city grid in a rain storm with snow, sparkles, light beams and ocean waves, orbit";

    /// <summary>The worst prompt of issue 21's report (1080p 9:16: 4.8x before).</summary>
    public const string CityRain = "city grid at night with rain and sparkles, orbit";

    public static IEnumerable<RendererCase> Cases(ModelCatalog catalog, int seconds)
    {
        if (!catalog.TryGet(Model, out var model))
        {
            throw new InvalidOperationException($"the catalog has no {Model}");
        }

        GenerationSpec Spec(string prompt, string resolution = "720p", string ratio = "16:9", bool audio = false)
        {
            var size = model.Output.Sizes[resolution][ratio].Split('x');
            return new GenerationSpec(Model, prompt, ratio, resolution, int.Parse(size[0], CultureInfo.InvariantCulture), int.Parse(size[1], CultureInfo.InvariantCulture), model.Fps, seconds, audio, 42, false);
        }

        const string Plain = "plain 720p 16:9";
        RendererCase Text(string name, string group, string prompt, bool audio = false) => new(name, group, Spec(prompt, audio: audio), "text", Plain);

        // No vocabulary word: hashed colours, no texture, default motion and speed.
        yield return new(Plain, "plain", Spec("a quiet study of shapes"), "text", null);
        foreach (var (palette, word) in new[] { ("sunset", "golden"), ("ocean", "underwater"), ("night", "midnight"), ("forest", "botanical"), ("neon", "cyberpunk"), ("desert", "canyon"), ("winter", "arctic"), ("fire", "volcano") })
        {
            yield return Text("palette " + palette, "palette", $"a {word} scene");
        }

        foreach (var (motion, word) in new[] { ("spiral", "orbit"), ("radial", "zoom"), ("linear", "pan"), ("circular", "tunnel") })
        {
            yield return Text("motion " + motion, "motion", $"a {word} through shapes");
        }

        yield return Text("speed slow", "speed", "a slow calm study of shapes");
        yield return Text("speed fast", "speed", "a fast frantic study of shapes");
        foreach (var (texture, word) in new[] { ("rain", "rain"), ("snow", "snowfall"), ("particles", "sparkles"), ("beams", "beams"), ("grid", "wireframe"), ("waves", "surf") })
        {
            yield return Text("texture " + texture, "texture", $"a study of shapes with {word}");
        }

        yield return Text("audio on", "audio", "a quiet study of shapes", audio: true);
        yield return Text("city lights zoom", "prompt", "city lights zoom");
        foreach (var (resolution, ratio) in new[] { ("480p", "16:9"), ("720p", "16:9"), ("1080p", "16:9"), ("720p", "9:16"), ("1080p", "9:16"), ("720p", "21:9"), ("1080p", "21:9") })
        {
            var size = $"{resolution} {ratio}";
            var plain = size == Plain ? Plain : "plain " + size;
            if (plain != Plain)
            {
                yield return new(plain, "plain", Spec("a quiet study of shapes", resolution, ratio), "text", null);
            }

            yield return new("everything " + size, "heaviest", Spec(Everything, resolution, ratio, audio: true), "text", plain);
            yield return new("city rain " + size, "heaviest", Spec(CityRain, resolution, ratio), "text", plain);
        }

        yield return new("image-to-video zoom in", "image", Spec("zoom in on the scene"), "image", Plain);
        yield return new("image-to-video zoom out", "image", Spec("zoom out to reveal the scene"), "image", Plain);
        yield return new("image-to-video first and last", "image", Spec("pan right across the scene"), "image-last", Plain);
        yield return new("reference-to-video", "reference", Spec("a storyboard of the references"), "reference", Plain);
    }
}
