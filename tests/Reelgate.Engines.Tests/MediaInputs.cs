using Reelgate.Core.Engines;
using Reelgate.Core.Media;

namespace Reelgate.Engines.Tests;

/// <summary>
/// Media inputs made once per test class with ffmpeg: a 640x480 and a 480x640 image, a 3 s
/// MP4 and a 3 s MP3, in a temporary directory deleted at the end.
/// </summary>
public sealed class MediaInputs : IAsyncLifetime
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("media-inputs-").FullName;

    public string Landscape => Path.Combine(Directory, "landscape.png");

    public string Portrait => Path.Combine(Directory, "portrait.png");

    public string Video => Path.Combine(Directory, "clip.mp4");

    public string Audio => Path.Combine(Directory, "tune.mp3");

    public async ValueTask InitializeAsync()
    {
        await FfmpegTool.RunAsync("/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=640x480", "-frames:v", "1", Landscape]);
        await FfmpegTool.RunAsync("/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "gradients=s=480x640:seed=3:c0=0x2040ff:c1=0xffa020", "-frames:v", "1", Portrait]);
        await FfmpegTool.RunAsync("/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=480x360:r=30:d=3", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", Video]);
        await FfmpegTool.RunAsync("/usr/bin/ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "sine=f=330:r=44100:d=3", "-c:a", "libmp3lame", "-b:a", "96k", Audio]);
    }

    public ValueTask DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    public LocalMedia Image(string role, string path, int width, int height) =>
        new(new MediaInput(role, "image_urls", 0, "https://example.invalid/" + Path.GetFileName(path)), new MediaInfo(MediaKind.Image, "image/png", "png", new FileInfo(path).Length, width, height, 0), path, "");

    public LocalMedia Clip() =>
        new(new MediaInput(MediaRoles.ReferenceVideo, "video_urls", 0, "https://example.invalid/clip.mp4"), new MediaInfo(MediaKind.Video, "video/mp4", "mp4", new FileInfo(Video).Length, 480, 360, 3), Video, "");

    public LocalMedia Tune() =>
        new(new MediaInput(MediaRoles.ReferenceAudio, "audio_urls", 0, "https://example.invalid/tune.mp3"), new MediaInfo(MediaKind.Audio, "audio/mpeg", "mp3", new FileInfo(Audio).Length, 0, 0, 3), Audio, "");
}
