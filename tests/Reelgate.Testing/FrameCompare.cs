using System.Diagnostics;
using System.Globalization;

namespace Reelgate.Testing;

/// <summary>
/// Pictures compared the way a viewer would: one frame decoded by Debian's ffmpeg to raw RGB24
/// (after an optional filter, e.g. a frame selector or a cover scale) and PSNR between two.
/// </summary>
public static class FrameCompare
{
    /// <summary>An image cover-scaled (scaled up to fill, centre-cropped) to the size, through 4:2:0 as any H.264 frame is.</summary>
    public static string Cover(int width, int height) =>
        string.Create(CultureInfo.InvariantCulture, $"scale=w='max({width}\\,ceil(iw*{height}/ih))':h='max({height}\\,ceil(ih*{width}/iw))',crop={width}:{height},format=yuv420p");

    /// <summary>Frame number <paramref name="n"/> of a video.</summary>
    public static string Frame(int n) => string.Create(CultureInfo.InvariantCulture, $"select='eq(n\\,{n})'");

    /// <summary>The first frame of the file after <paramref name="filter"/>, as raw RGB24 of the expected size.</summary>
    public static async Task<byte[]> DecodeAsync(string path, string? filter, int width, int height)
    {
        var args = new List<string> { "-v", "error", "-i", path };
        if (filter is not null)
        {
            args.AddRange(["-vf", filter]);
        }

        args.AddRange(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
        using var p = Process.Start(new ProcessStartInfo("/usr/bin/ffmpeg", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var errors = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var ms = new MemoryStream();
        await p.StandardOutput.BaseStream.CopyToAsync(ms, TestContext.Current.CancellationToken);
        await p.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(p.ExitCode == 0, await errors);
        Assert.Equal(width * height * 3, ms.Length);
        return ms.ToArray();
    }

    /// <summary>Peak signal-to-noise ratio in dB of two equal-sized pictures (100 when identical).</summary>
    public static double Psnr(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Assert.Equal(a.Length, b.Length);
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = a[i] - b[i];
            sum += d * d;
        }

        var mse = sum / a.Length;
        return mse == 0 ? 100 : 10 * Math.Log10(255.0 * 255.0 / mse);
    }
}
