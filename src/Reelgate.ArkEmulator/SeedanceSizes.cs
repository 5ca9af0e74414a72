namespace Reelgate.Emulators.ModelArk;

/// <summary>
/// Seedance 2.0's output sizes by resolution and ratio, as ModelArk documents them (the same table
/// as Reelgate's catalog). The emulator answers <c>adaptive</c> with 16:9, as a text-only request would get.
/// </summary>
internal static class SeedanceSizes
{
    public const int FramesPerSecond = 24;
    public const string AdaptiveChoice = "16:9";

    /// <summary>What <c>duration: -1</c> (the model picks) comes out as.</summary>
    public const int AdaptiveDuration = 5;

    private static readonly Dictionary<string, Dictionary<string, (int Width, int Height)>> Sizes = new()
    {
        ["480p"] = new() { ["16:9"] = (864, 496), ["4:3"] = (752, 560), ["1:1"] = (640, 640), ["3:4"] = (560, 752), ["9:16"] = (496, 864), ["21:9"] = (992, 432) },
        ["720p"] = new() { ["16:9"] = (1280, 720), ["4:3"] = (1112, 834), ["1:1"] = (960, 960), ["3:4"] = (834, 1112), ["9:16"] = (720, 1280), ["21:9"] = (1470, 630) },
        ["1080p"] = new() { ["16:9"] = (1920, 1080), ["4:3"] = (1664, 1248), ["1:1"] = (1440, 1440), ["3:4"] = (1248, 1664), ["9:16"] = (1080, 1920), ["21:9"] = (2206, 946) },
    };

    public static string EffectiveRatio(string ratio) => ratio == "adaptive" ? AdaptiveChoice : ratio;

    public static (int Width, int Height) Size(string resolution, string effectiveRatio) => Sizes[resolution][effectiveRatio];

    /// <summary>ModelArk's video token count: width x height x fps x seconds / 1024.</summary>
    public static long Tokens(int width, int height, int seconds) => (long)width * height * FramesPerSecond * seconds / 1024;
}
