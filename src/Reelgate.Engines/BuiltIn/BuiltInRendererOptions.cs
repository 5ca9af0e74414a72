namespace Reelgate.Engines.BuiltIn;

/// <summary>Settings of the built-in procedural renderer.</summary>
public sealed class BuiltInRendererOptions
{
    public string FfmpegPath { get; set; } = "/usr/bin/ffmpeg";

    public string FontPath { get; set; } = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    /// <summary>x264 threads per render; the server sets cores / workers so parallel renders do not oversubscribe.</summary>
    public int Threads { get; set; } = 1;

    public string Preset { get; set; } = "veryfast";
}
