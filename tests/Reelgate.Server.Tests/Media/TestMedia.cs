using System.Diagnostics;

namespace Reelgate.Server.Tests.Media;

/// <summary>Media files for tests, made by Debian's ffmpeg (cached per run): PNGs of a size, a short MP4, an MP3.</summary>
public static class TestMedia
{
    private static readonly Dictionary<string, Lazy<Task<byte[]>>> Made = [];

    public static Task<byte[]> PngAsync(int width, int height, string source = "testsrc2") =>
        MakeAsync($"png-{width}x{height}-{source}", "png", ["-f", "lavfi", "-i", $"{source}=s={width}x{height}:d=1", "-frames:v", "1"]);

    public static Task<byte[]> Mp4Async(int seconds = 3) =>
        MakeAsync($"mp4-{seconds}", "mp4", ["-f", "lavfi", "-i", $"testsrc2=s=640x360:r=24:d={seconds}", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]);

    public static Task<byte[]> Mp3Async(int seconds = 3) =>
        MakeAsync($"mp3-{seconds}", "mp3", ["-f", "lavfi", "-i", $"sine=f=330:r=44100:d={seconds}", "-c:a", "libmp3lame", "-b:a", "64k"]);

    private static Task<byte[]> MakeAsync(string name, string extension, string[] args)
    {
        lock (Made)
        {
            if (!Made.TryGetValue(name, out var made))
            {
                Made[name] = made = new Lazy<Task<byte[]>>(() => RunAsync(extension, args));
            }

            return made.Value;
        }
    }

    private static async Task<byte[]> RunAsync(string extension, string[] args)
    {
        var path = Path.Combine(Path.GetTempPath(), "reelgate-media-" + Guid.NewGuid().ToString("N") + "." + extension);
        try
        {
            var start = new ProcessStartInfo("/usr/bin/ffmpeg") { RedirectStandardError = true };
            foreach (var arg in new[] { "-v", "error", "-y" }.Concat(args).Append(path))
            {
                start.ArgumentList.Add(arg);
            }

            using var p = Process.Start(start)!;
            var error = await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            Assert.True(p.ExitCode == 0, error);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
