namespace Reelgate.Engines.BuiltIn;

/// <summary>Settings of the built-in procedural renderer.</summary>
public sealed class BuiltInRendererOptions
{
    public string FfmpegPath { get; set; } = "/usr/bin/ffmpeg";

    public string FontPath { get; set; } = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    /// <summary>x264 threads per render; the server sets cores / workers so parallel renders do not oversubscribe.</summary>
    public int Threads { get; set; } = 1;

    public string Preset { get; set; } = "veryfast";

    /// <summary>
    /// The x264 (and filter) threads of one render: <paramref name="pinned"/> when above 0, else
    /// cores / workers (at least 1), so that parallel renders do not oversubscribe the machine.
    /// The server and the renderer benchmark both use this, so the benchmark measures what runs.
    /// </summary>
    public static int ThreadsFor(int pinned, int workers, int cores) =>
        pinned > 0 ? pinned : Math.Max(1, cores / Math.Max(1, workers));
}
