using System.Buffers.Binary;
using Reelgate.Core.Media;
using Reelgate.Engines.Media;

namespace Reelgate.Engines.Tests;

/// <summary>
/// The media inspector against files ffmpeg makes in the test (valid and out-of-limit ones) and
/// hand-made hostile bytes: a PNG declaring 100000x100000, text named .png, polyglots, truncated
/// and empty files. Files are named without their real extension where that matters, because
/// inspection must go by content.
/// </summary>
public sealed class MediaInspectorTests : IDisposable
{
    private static readonly MediaInspector Inspector = new("/usr/bin/ffprobe");
    private readonly string _dir = Directory.CreateTempSubdirectory("reelgate-media-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("png", "image/png", "png")]
    [InlineData("jpg", "image/jpeg", "jpg")]
    [InlineData("webp", "image/webp", "webp")]
    public async Task InspectAsync_AcceptsImage_WhenFormatAndSizeAreValid(string made, string mime, string extension)
    {
        var path = await ImageAsync(made, 640, 480);
        var check = await Inspector.InspectAsync(path, MediaKind.Image, Ct);
        Assert.True(check.Ok, check.Problem);
        Assert.Equal(new MediaInfo(MediaKind.Image, mime, extension, new FileInfo(path).Length, 640, 480, 0), check.Info);
        Assert.True((await Inspector.InspectAsync(path, null, Ct)).Ok);
    }

    [Fact]
    public async Task InspectAsync_AcceptsLosslessWebP_ReadingItsVp8lHeader()
    {
        var path = await MakeAsync("webp", ["-f", "lavfi", "-i", "color=blue:s=800x600", "-frames:v", "1", "-lossless", "1"]);
        var check = await Inspector.InspectAsync(path, MediaKind.Image, Ct);
        Assert.True(check.Ok, check.Problem);
        Assert.Equal((800, 600), (check.Info!.Width, check.Info.Height));
    }

    [Theory]
    [InlineData("png", 200, 400, "is 200x400 px; images must be 300 to 6000 px a side")]
    [InlineData("jpg", 6200, 3000, "is 6200x3000 px; images must be 300 to 6000 px a side")]
    [InlineData("webp", 1500, 500, "is 1500x500 px, an aspect ratio of 3.00; images must be 0.4 to 2.5 (width / height)")]
    public async Task InspectAsync_RefusesImage_WhenSizeOrAspectIsOutOfLimits(string made, int width, int height, string problem)
    {
        var path = await ImageAsync(made, width, height);
        var check = await Inspector.InspectAsync(path, MediaKind.Image, Ct);
        Assert.Equal(problem, check.Problem);
    }

    [Fact]
    public async Task InspectAsync_RefusesFromHeaderAlone_WhenPngDeclares100000Square()
    {
        // Signature and an IHDR declaring 100000x100000, nothing after: no decoder could even start.
        var bytes = new byte[33];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), 13);
        "IHDR"u8.CopyTo(bytes.AsSpan(12));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), 100000);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), 100000);
        bytes[24] = 8;
        bytes[25] = 2;
        var path = Write("huge.png", bytes);

        // A probe that cannot run proves nothing is decoded: the header alone refuses it.
        var noProbe = new MediaInspector(Path.Combine(_dir, "no-ffprobe-here"));
        var check = await noProbe.InspectAsync(path, null, Ct);
        Assert.Equal("is 100000x100000 px; images must be 300 to 6000 px a side", check.Problem);
    }

    [Fact]
    public async Task InspectAsync_RefusesText_WhenNamedPng()
    {
        var path = Write("x.png", "hello, this is not an image\n"u8.ToArray());
        Assert.Equal("is not a JPEG, PNG or WebP image", (await Inspector.InspectAsync(path, MediaKind.Image, Ct)).Problem);
        Assert.Equal("is not a JPEG, PNG or WebP image, an MP4 or MOV video, or an MP3, WAV or M4A audio", (await Inspector.InspectAsync(path, null, Ct)).Problem);
    }

    [Fact]
    public async Task InspectAsync_RefusesPolyglot_WhenPngHeaderIsFollowedByJunk()
    {
        var png = await File.ReadAllBytesAsync(await ImageAsync("png", 640, 480), Ct);
        var junk = new byte[4096];
        new Random(7).NextBytes(junk);
        var path = Write("polyglot.png", [.. png.AsSpan(0, 33), .. junk]);
        var check = await Inspector.InspectAsync(path, MediaKind.Image, Ct);
        Assert.Equal("does not decode as the PNG image its header declares", check.Problem);
    }

    [Fact]
    public async Task InspectAsync_AcceptsJpegByContent_WhenNamedPng()
    {
        var jpeg = await ImageAsync("jpg", 640, 480);
        var path = Path.Combine(_dir, "really-a-jpeg.png");
        File.Move(jpeg, path);
        var check = await Inspector.InspectAsync(path, MediaKind.Image, Ct);
        Assert.True(check.Ok, check.Problem);
        Assert.Equal(("image/jpeg", "jpg"), (check.Info!.MimeType, check.Info.Extension));
    }

    [Fact]
    public async Task InspectAsync_RefusesTruncatedImage()
    {
        var png = await File.ReadAllBytesAsync(await MakeAsync("png", ["-f", "lavfi", "-i", "testsrc=s=640x480", "-frames:v", "1"]), Ct);
        var path = Write("cut", png[..(png.Length / 3)]);
        Assert.Equal("does not decode as the PNG image its header declares", (await Inspector.InspectAsync(path, null, Ct)).Problem);
        var header = Write("header-cut", png[..20]);
        Assert.Equal("is not a readable PNG image (its header is missing or cut short)", (await Inspector.InspectAsync(header, null, Ct)).Problem);
    }

    [Fact]
    public async Task InspectAsync_RefusesEmptyFile()
    {
        Assert.Equal("is empty", (await Inspector.InspectAsync(Write("empty.jpg", []), null, Ct)).Problem);
    }

    [Theory]
    [InlineData("mp4", "video/mp4")]
    [InlineData("mov", "video/quicktime")]
    public async Task InspectAsync_AcceptsVideo_WhenThreeSecondsLong(string made, string mime)
    {
        var path = await VideoAsync(made, 3);
        var check = await Inspector.InspectAsync(path, MediaKind.Video, Ct);
        Assert.True(check.Ok, check.Problem);
        Assert.Equal((MediaKind.Video, mime, made, 320, 240), (check.Info!.Kind, check.Info.MimeType, check.Info.Extension, check.Info.Width, check.Info.Height));
        Assert.Equal(3, check.Info.DurationSeconds, 1);
    }

    [Theory]
    [InlineData(1, "is 1.0 s long; videos must be 2 to 15 s")]
    [InlineData(16, "is 16.0 s long; videos must be 2 to 15 s")]
    public async Task InspectAsync_RefusesVideo_WhenDurationIsOutOfLimits(int seconds, string problem)
    {
        var path = await VideoAsync("mp4", seconds);
        Assert.Equal(problem, (await Inspector.InspectAsync(path, null, Ct)).Problem);
    }

    [Fact]
    public async Task InspectAsync_RefusesVideo_WhenAnImageIsExpected()
    {
        var path = await VideoAsync("mov", 3);
        Assert.Equal("is not a JPEG, PNG or WebP image", (await Inspector.InspectAsync(path, MediaKind.Image, Ct)).Problem);
    }

    [Theory]
    [InlineData("mp3", "audio/mpeg")]
    [InlineData("wav", "audio/wav")]
    [InlineData("m4a", "audio/mp4")]
    public async Task InspectAsync_AcceptsAudio_WhenThreeSecondsLong(string made, string mime)
    {
        var path = await AudioAsync(made, 3);
        var check = await Inspector.InspectAsync(path, MediaKind.Audio, Ct);
        Assert.True(check.Ok, check.Problem);
        Assert.Equal((MediaKind.Audio, mime, made, 0, 0), (check.Info!.Kind, check.Info.MimeType, check.Info.Extension, check.Info.Width, check.Info.Height));
        Assert.Equal(3, check.Info.DurationSeconds, 0);
    }

    [Fact]
    public async Task InspectAsync_RefusesAudio_WhenTwentySecondsLong()
    {
        var path = await AudioAsync("wav", 20);
        Assert.Equal("is 20.0 s long; audio must be at most 15 s", (await Inspector.InspectAsync(path, null, Ct)).Problem);
    }

    [Fact]
    public async Task InspectAsync_RefusesTruncatedVideo()
    {
        var mp4 = await File.ReadAllBytesAsync(await VideoAsync("mp4", 3), Ct);
        var path = Write("cut", mp4[..64]);
        Assert.Equal("does not read as an MP4 video", (await Inspector.InspectAsync(path, null, Ct)).Problem);
    }

    [Fact]
    public async Task InspectAsync_RefusesFile_WhenLargerThanItsKindAllows()
    {
        var path = Write("big", new byte[MediaLimits.MaxImageBytes + 1]);
        Assert.Equal("is larger than 30 MiB", (await Inspector.InspectAsync(path, MediaKind.Image, Ct)).Problem);
    }

    private Task<string> ImageAsync(string format, int width, int height) =>
        MakeAsync(format, ["-f", "lavfi", "-i", $"color=red:s={width}x{height}", "-frames:v", "1"]);

    private Task<string> VideoAsync(string format, int seconds) =>
        MakeAsync(format, ["-f", "lavfi", "-i", $"testsrc=s=320x240:d={seconds}:r=10", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast"]);

    private Task<string> AudioAsync(string format, int seconds) =>
        MakeAsync(format, ["-f", "lavfi", "-i", $"sine=d={seconds}"]);

    /// <summary>Runs ffmpeg into a file of that extension (ffmpeg picks the muxer by it), then renames it to have none.</summary>
    private async Task<string> MakeAsync(string extension, string[] args)
    {
        var made = Path.Combine(_dir, Guid.NewGuid().ToString("N") + "." + extension);
        await FfmpegTool.RunAsync("/usr/bin/ffmpeg", ["-v", "error", "-y", .. args, made]);
        var bare = Path.ChangeExtension(made, null);
        File.Move(made, bare);
        return bare;
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
