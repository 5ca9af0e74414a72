using System.Globalization;

namespace Reelgate.Engines.BuiltIn;

/// <summary>How numbers and sizes are written into ffmpeg filter graphs: invariant culture, even sizes.</summary>
internal static class FilterText
{
    /// <summary>A number with up to three decimals (what the text-to-video command has always written).</summary>
    public static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>A time in seconds precise enough to land on a frame boundary at any frame rate.</summary>
    public static string Seconds(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);

    public static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    public static int Even(int n) => Math.Max(2, n - (n % 2));

    /// <summary>
    /// Scales a picture to cover WxH (no bars) and crops the centre: each side is at least the
    /// target (rounded up, so a rounding never leaves a one-pixel gap), then the crop is exact.
    /// </summary>
    public static string Cover(int width, int height) =>
        $"scale=w='max({width}\\,ceil(iw*{height}/ih))':h='max({height}\\,ceil(ih*{width}/iw))':flags=bicubic,crop={width}:{height},setsar=1";
}
