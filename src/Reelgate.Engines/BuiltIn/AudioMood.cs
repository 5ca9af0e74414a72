namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// The ambient track's character: a root note, a major or minor chord, a pulse (tremolo)
/// rate and a noise colour and level. Chosen by mood words, else from the prompt's hash.
/// </summary>
public sealed record AudioMood(string Name, double RootHz, bool Minor, double PulseHz, string NoiseColor, double NoiseLevel)
{
    private static readonly (string Name, string[] Words, double Root, bool Minor, double Pulse)[] Moods =
    [
        ("calm", ["calm", "peaceful", "serene", "gentle", "quiet", "relaxing", "slow"], 174.6, false, 0.2),
        ("dark", ["dark", "night", "horror", "mysterious", "eerie", "shadow", "midnight"], 110.0, true, 0.12),
        ("epic", ["epic", "dramatic", "action", "battle", "storm", "heroic", "fast"], 98.0, true, 2.0),
        ("bright", ["happy", "bright", "sunny", "joyful", "playful", "sunrise", "golden"], 220.0, false, 1.0),
        ("electronic", ["neon", "cyberpunk", "futuristic", "digital", "synthwave", "robot"], 130.8, true, 4.0),
    ];

    public static AudioMood From(IReadOnlySet<string> words, byte[] hash)
    {
        var (name, _, root, minor, pulse) = Moods.FirstOrDefault(m => m.Words.Any(words.Contains));
        name ??= "ambient";
        if (root == 0)
        {
            root = 110 + (hash[14] % 120);
            minor = hash[15] % 2 == 0;
            pulse = 0.1 + (hash[16] % 10 / 10.0);
        }

        var (color, level) = words.Overlaps(["rain", "storm", "rainy", "downpour"]) ? ("pink", 0.15)
            : words.Overlaps(["ocean", "sea", "waves", "surf", "tide"]) ? ("brown", 0.2)
            : words.Overlaps(["wind", "snow", "blizzard", "desert"]) ? ("white", 0.05)
            : ("pink", 0.03);
        return new AudioMood(name, root, minor, pulse, color, level);
    }

    public double ThirdHz => RootHz * (Minor ? 6.0 / 5.0 : 5.0 / 4.0);

    public double FifthHz => RootHz * 3.0 / 2.0;
}
