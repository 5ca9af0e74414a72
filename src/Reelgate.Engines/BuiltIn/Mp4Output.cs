using Reelgate.Core.Catalog;
using static Reelgate.Engines.BuiltIn.FilterText;

namespace Reelgate.Engines.BuiltIn;

/// <summary>
/// The output half of every built-in command line: the mapped streams, the bitexact H.264/AAC
/// MP4 with fixed metadata, and the optional stills cut from the same graph (the poster JPEG and
/// the last-frame PNG, see <see cref="FrameTaps"/>).
/// </summary>
internal static class Mp4Output
{
    public static void Add(List<string> args, GenerationSpec s, BuiltInRendererOptions options, string graph, bool audio, string comment, string output, FrameTaps taps, bool smoothPicture = false)
    {
        // Filters get the same thread budget as x264: ffmpeg's default (one filter thread per core)
        // oversubscribes the cores when renders run in parallel (about 10% slower per pair here).
        var threads = I(options.Threads);
        args.AddRange(["-filter_complex_threads", threads, "-filter_complex", graph, "-map", "[v]"]);
        if (audio)
        {
            // The fast AAC coder: half the audio's cost (0.4 -> 0.2 s CPU for 5 s) for a preview's tone.
            args.AddRange(["-map", "[a]", "-c:a", "aac", "-aac_coder", "fast", "-b:a", "128k", "-ar", "48000", "-ac", "2"]);
        }

        args.AddRange([
            "-c:v", "libx264", "-preset", options.Preset, "-threads", threads,
        ]);
        if (smoothPicture)
        {
            // Adaptive quantization spends bits (and time) lowering the quantizer in flat areas;
            // a procedural picture is all flat areas, and measured against a lossless encode the
            // difference is invisible (BENCHMARKS.md, renderer: SSIM 0.9956 with, 0.9947 without).
            args.AddRange(["-aq-mode", "0"]);
        }

        args.AddRange([
            "-pix_fmt", "yuv420p", "-r", I(s.Fps),
            "-movflags", "+faststart", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
            "-map_metadata", "-1", "-metadata", "title=" + RenderCommand.Title, "-metadata", "comment=" + comment,
            "-f", "mp4", output,
        ]);
        taps.AddOutputs(args);
    }
}
