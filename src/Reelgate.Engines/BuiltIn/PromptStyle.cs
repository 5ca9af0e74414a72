using System.Security.Cryptography;
using System.Text;

namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// What the prompt's words choose for the procedural preview: a palette, a motion, scene
/// textures and an audio mood. The vocabulary is documented in docs/renderer.md; words not in
/// it (and the seed) still vary the result through a hash, so every prompt looks different.
/// </summary>
public sealed record PromptStyle(
    string PaletteName,
    IReadOnlyList<string> Colors,
    string GradientType,
    double Speed,
    IReadOnlySet<string> Textures,
    AudioMood Mood,
    byte[] Hash)
{
    private static readonly (string Name, string[] Words, string[] Colors)[] Palettes =
    [
        ("sunset", ["sunset", "dusk", "golden", "sunrise", "dawn"], ["0xff7e5f", "0xfeb47b", "0x86377b", "0x2b1055"]),
        ("ocean", ["ocean", "sea", "underwater", "water", "beach", "lagoon"], ["0x0b3d91", "0x1e90ff", "0x00ced1", "0x012a4a"]),
        ("night", ["night", "midnight", "space", "stars", "moon", "galaxy"], ["0x0b0c2a", "0x1b1f5e", "0x4b2c7a", "0x000010"]),
        ("forest", ["forest", "jungle", "garden", "botanical", "leaves", "meadow"], ["0x0b3d20", "0x2e7d32", "0x8bc34a", "0x3e2723"]),
        ("neon", ["neon", "cyberpunk", "futuristic", "synthwave", "arcade"], ["0xff00aa", "0x00f0ff", "0x7cff00", "0x1a0033"]),
        ("desert", ["desert", "sand", "dune", "canyon"], ["0xc2a15f", "0xe0c48a", "0x8b5a2b", "0xf4e1b0"]),
        ("winter", ["snow", "winter", "ice", "arctic", "frozen", "glacier"], ["0xe8f4ff", "0xb3d9ff", "0x7fa7c9", "0x4a6c8c"]),
        ("fire", ["fire", "lava", "volcano", "flames", "ember"], ["0xff2200", "0xff8800", "0xffd000", "0x330000"]),
    ];

    private static readonly (string Type, string[] Words)[] Motions =
    [
        ("spiral", ["orbit", "orbiting", "spin", "spinning", "swirl", "vortex"]),
        ("radial", ["zoom", "dolly", "push", "approach", "closeup"]),
        ("linear", ["pan", "panning", "tracking", "sweep", "glide", "flyover"]),
        ("circular", ["circle", "tunnel", "ripple", "portal"]),
    ];

    private static readonly (string Texture, string[] Words)[] TextureWords =
    [
        ("rain", ["rain", "raining", "rainy", "storm", "drizzle", "downpour"]),
        ("snow", ["snow", "snowing", "snowfall", "blizzard", "flakes"]),
        ("particles", ["particles", "dust", "sparkles", "fireflies", "embers", "glitter"]),
        ("beams", ["light", "beams", "volumetric", "rays", "sunbeam", "spotlight"]),
        ("grid", ["grid", "city", "digital", "matrix", "circuit", "wireframe"]),
        ("waves", ["waves", "wave", "surf", "tide", "ocean", "sea"]),
    ];

    public static PromptStyle From(string prompt, long seed)
    {
        var words = Words(prompt);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{prompt}\n{seed}"));
        var palette = Palettes.FirstOrDefault(p => p.Words.Any(words.Contains));
        var colors = palette.Name is null
            ? Enumerable.Range(0, 4).Select(i => $"0x{hash[i * 3]:x2}{hash[(i * 3) + 1]:x2}{hash[(i * 3) + 2]:x2}").ToArray()
            : palette.Colors;
        var motion = Motions.FirstOrDefault(m => m.Words.Any(words.Contains)).Type ?? (hash[12] % 2 == 0 ? "linear" : "radial");
        var speed = words.Overlaps(["slow", "slowly", "calm", "gentle", "still", "serene"]) ? 0.006
            : words.Overlaps(["fast", "rapid", "racing", "chase", "hyperlapse", "frantic"]) ? 0.05
            : 0.015 + (hash[13] / 255.0 * 0.01);
        var textures = TextureWords.Where(t => t.Words.Any(words.Contains)).Select(t => t.Texture).ToHashSet(StringComparer.Ordinal);
        return new PromptStyle(palette.Name ?? "hash", colors, motion, speed, textures, AudioMood.From(words, hash), hash);
    }

    /// <summary>A 32-bit seed for ffmpeg's sources, derived from prompt and seed.</summary>
    public uint SourceSeed => BitConverter.ToUInt32(Hash, 20);

    private static HashSet<string> Words(string prompt)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        var word = new StringBuilder();
        foreach (var c in prompt.ToLowerInvariant().Append(' '))
        {
            if (char.IsLetter(c))
            {
                word.Append(c);
            }
            else if (word.Length > 0)
            {
                set.Add(word.ToString());
                word.Clear();
            }
        }

        return set;
    }
}
