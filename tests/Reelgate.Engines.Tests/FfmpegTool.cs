using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Reelgate.Engines.Tests;

/// <summary>Debian's ffmpeg and ffprobe as the renderer tests use them to look at what was made.</summary>
internal static class FfmpegTool
{
    /// <summary>ffprobe's JSON for the file: streams with counted frames, and the format.</summary>
    public static async Task<JsonObject> ProbeAsync(string path)
    {
        var json = await RunAsync("/usr/bin/ffprobe", ["-v", "error", "-count_frames", "-show_streams", "-show_format", "-of", "json", path]);
        return JsonNode.Parse(json)!.AsObject();
    }

    public static JsonObject? Stream(JsonObject probe, string type) =>
        probe["streams"]!.AsArray().Select(s => s!.AsObject()).FirstOrDefault(s => (string?)s["codec_type"] == type);

    /// <summary>The frame at <paramref name="seconds"/> as raw RGB24, scaled to the given size (or native).</summary>
    public static async Task<byte[]> FrameAsync(string path, double seconds, string? scale = null)
    {
        var args = new List<string> { "-v", "error", "-ss", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", path, "-frames:v", "1" };
        if (scale is not null)
        {
            args.AddRange(["-vf", "scale=" + scale]);
        }

        args.AddRange(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
        var psi = new ProcessStartInfo("/usr/bin/ffmpeg", args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var errors = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var ms = new MemoryStream();
        await p.StandardOutput.BaseStream.CopyToAsync(ms, TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(p.ExitCode == 0, await errors);
        return ms.ToArray();
    }

    /// <summary>Runs a tool, asserts success, returns its standard output (standard error is returned on failure in the message).</summary>
    public static async Task<string> RunAsync(string tool, IEnumerable<string> args)
    {
        using var p = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(p.ExitCode == 0, await errors);
        await errors;
        return await output;
    }
}
