using System.Globalization;
using System.Text.Json;
using Reelgate.Core.Media;
using Reelgate.Engines.Ffmpeg;

namespace Reelgate.Engines.Media;

/// <summary>
/// Checks media files by content, in an order that never lets a hostile file cost much: the
/// size on disk, the magic bytes (<see cref="MediaSniffer"/>), an image's declared pixel size
/// from its header (<see cref="ImageHeader"/>) before anything decodes it, and only then
/// ffprobe, which must agree on the format (and, for images, decode the one frame at the size
/// the header declared) so a polyglot or a truncated file is refused. Videos and audio are
/// probed for their streams and duration, not decoded. ffprobe runs through
/// <see cref="FfmpegProcess"/> (scrubbed environment) with a timeout; a missing ffprobe is broken
/// infrastructure and throws, a refused file is a <see cref="MediaCheck"/> with its reason.
/// </summary>
public sealed class MediaInspector(string ffprobePath, TimeSpan? probeTimeout = null) : IMediaInspector
{
    private readonly FfmpegRun _run = new() { CaptureOutput = true, Timeout = probeTimeout ?? TimeSpan.FromSeconds(20) };

    /// <summary>Debian installs ffprobe beside ffmpeg; the server configures only <c>Reelgate:FfmpegPath</c>.</summary>
    public static string FfprobeBeside(string ffmpegPath) =>
        Path.Combine(Path.GetDirectoryName(ffmpegPath) is { Length: > 0 } dir ? dir : ".", "ffprobe");

    public async Task<MediaCheck> InspectAsync(string path, MediaKind? expected, CancellationToken ct)
    {
        var size = new FileInfo(path).Length;
        if (size == 0)
        {
            return MediaCheck.Refused("is empty");
        }

        if (size > MediaLimits.MaxBytes(expected))
        {
            return MediaCheck.Refused(TooLarge(MediaLimits.MaxBytes(expected)));
        }

        var head = await ReadHeadAsync(path, ct);
        var format = MediaSniffer.Sniff(head.Span);
        if (format is null || (expected is { } kind && format.Kind != kind))
        {
            return MediaCheck.Refused(MediaFormat.NotOfKind(expected));
        }

        if (size > MediaLimits.MaxBytes(format.Kind))
        {
            return MediaCheck.Refused(TooLarge(MediaLimits.MaxBytes(format.Kind)));
        }

        return format.Kind == MediaKind.Image
            ? await InspectImageAsync(path, format, size, head, ct)
            : await InspectTimedAsync(path, format, size, ct);
    }

    private async Task<MediaCheck> InspectImageAsync(string path, MediaFormat format, long size, ReadOnlyMemory<byte> head, CancellationToken ct)
    {
        if (ImageHeader.Read(format, head.Span) is not var (width, height))
        {
            return MediaCheck.Refused($"is not a readable {format.Name} image (its header is missing or cut short)");
        }

        if (width < MediaLimits.MinImageSide || height < MediaLimits.MinImageSide || width > MediaLimits.MaxImageSide || height > MediaLimits.MaxImageSide)
        {
            return MediaCheck.Refused($"is {width}x{height} px; images must be {MediaLimits.MinImageSide} to {MediaLimits.MaxImageSide} px a side");
        }

        var aspect = (double)width / height;
        if (aspect < MediaLimits.MinAspect || aspect > MediaLimits.MaxAspect)
        {
            return MediaCheck.Refused(string.Create(CultureInfo.InvariantCulture,
                $"is {width}x{height} px, an aspect ratio of {aspect:0.00}; images must be {MediaLimits.MinAspect} to {MediaLimits.MaxAspect} (width / height)"));
        }

        // Only now is a decoder allowed near it: the header bounds what the frame can cost.
        var probe = await ProbeAsync(path, decodeFrames: true, ct);
        var video = probe?.Streams.FirstOrDefault(s => s.Type == "video");
        if (probe is null || video is null || video.Codec != ImageCodec(format) || video.Width != width || video.Height != height || video.Frames < 1)
        {
            return MediaCheck.Refused($"does not decode as the {format.Name} image its header declares");
        }

        return MediaCheck.Accepted(new MediaInfo(MediaKind.Image, format.MimeType, format.Extension, size, width, height, 0));
    }

    private async Task<MediaCheck> InspectTimedAsync(string path, MediaFormat format, long size, CancellationToken ct)
    {
        var probe = await ProbeAsync(path, decodeFrames: false, ct);
        if (probe is null || !ContainerAgrees(format, probe.FormatName))
        {
            return MediaCheck.Refused($"does not read as {format.Described}");
        }

        var video = probe.Streams.FirstOrDefault(s => s.Type == "video");
        var audio = probe.Streams.FirstOrDefault(s => s.Type == "audio");

        // An MP4 with no picture but a sound track is an M4A under another brand (mp42, isom).
        if (format == MediaFormat.Mp4 && video is null && audio is not null)
        {
            format = MediaFormat.M4a;
        }

        var duration = probe.Duration ?? probe.Streams.Select(s => s.Duration ?? 0).DefaultIfEmpty(0).Max();
        var seconds = duration.ToString("0.0", CultureInfo.InvariantCulture);
        if (format.Kind == MediaKind.Video)
        {
            if (video is null)
            {
                return MediaCheck.Refused("has no video stream");
            }

            if (duration < MediaLimits.MinVideoSeconds || duration > MediaLimits.MaxVideoSeconds)
            {
                return MediaCheck.Refused($"is {seconds} s long; videos must be {MediaLimits.MinVideoSeconds} to {MediaLimits.MaxVideoSeconds} s");
            }

            return MediaCheck.Accepted(new MediaInfo(MediaKind.Video, format.MimeType, format.Extension, size, video.Width, video.Height, duration));
        }

        if (audio is null)
        {
            return MediaCheck.Refused("has no audio stream");
        }

        if (duration <= 0 || duration > MediaLimits.MaxAudioSeconds)
        {
            return MediaCheck.Refused($"is {seconds} s long; audio must be at most {MediaLimits.MaxAudioSeconds} s");
        }

        return MediaCheck.Accepted(new MediaInfo(MediaKind.Audio, format.MimeType, format.Extension, size, 0, 0, duration));
    }

    /// <summary>
    /// ffprobe's view of the file, or null when it cannot read it, times out, or complains. With
    /// <paramref name="decodeFrames"/> (images only) it decodes the frame, so a truncated or
    /// corrupt image shows as an error or as no frame read.
    /// </summary>
    private async Task<Probe?> ProbeAsync(string path, bool decodeFrames, CancellationToken ct)
    {
        List<string> args = ["-v", "error"];
        if (decodeFrames)
        {
            args.Add("-count_frames");
        }

        args.AddRange(["-show_entries", "format=format_name,duration:stream=codec_type,codec_name,width,height,duration,nb_read_frames", "-of", "json", "file:" + Path.GetFullPath(path)]);
        var exit = await FfmpegProcess.RunAsync(ffprobePath, args, _run, ct);
        if (!exit.Succeeded || (decodeFrames && exit.ErrorTail.Length > 0))
        {
            return null;
        }

        try
        {
            return Probe.Parse(exit.Output);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string ImageCodec(MediaFormat format) =>
        format == MediaFormat.Png ? "png" : format == MediaFormat.Jpeg ? "mjpeg" : "webp";

    /// <summary>ffprobe's demuxer must be the family the magic bytes named (it probes content too, and a polyglot lands elsewhere).</summary>
    private static bool ContainerAgrees(MediaFormat format, string formatName)
    {
        var names = formatName.Split(',');
        return format == MediaFormat.Mp3 ? names.Contains("mp3")
            : format == MediaFormat.Wav ? names.Contains("wav")
            : names.Contains("mov") || names.Contains("mp4");
    }

    private static string TooLarge(long bytes) => $"is larger than {bytes / (1024 * 1024)} MiB";

    /// <summary>The first bytes, enough for the magic and for any image header <see cref="ImageHeader"/> reads.</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadHeadAsync(string path, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
        var buffer = new byte[(int)Math.Min(file.Length, ImageHeader.MaxHeadLength)];
        await file.ReadExactlyAsync(buffer, ct);
        return buffer;
    }

    /// <summary>The parts of ffprobe's JSON that inspection reads.</summary>
    private sealed record Probe(string FormatName, double? Duration, IReadOnlyList<ProbeStream> Streams)
    {
        public static Probe? Parse(string json)
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (!root.TryGetProperty("format", out var format))
            {
                return null;
            }

            var streams = new List<ProbeStream>();
            if (root.TryGetProperty("streams", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var s in list.EnumerateArray())
                {
                    streams.Add(new ProbeStream(Text(s, "codec_type"), Text(s, "codec_name"), Int(s, "width"), Int(s, "height"), Number(s, "duration"), (int)(Number(s, "nb_read_frames") ?? 0)));
                }
            }

            return new Probe(Text(format, "format_name"), Number(format, "duration"), streams);
        }

        private static string Text(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

        private static int Int(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : 0;

        /// <summary>ffprobe writes durations and frame counts as strings ("3.000000").</summary>
        private static double? Number(JsonElement e, string name) =>
            double.TryParse(Text(e, name), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;
    }

    private sealed record ProbeStream(string Type, string Codec, int Width, int Height, double? Duration, int Frames);
}
