using System.Buffers.Binary;
using Reelgate.Server.Tests.Infrastructure;
using static Reelgate.Server.Tests.Media.MediaTasks;

namespace Reelgate.Server.Tests.Media;

/// <summary>
/// Hostile remote inputs end to end (createTask, the worker, recordInfo): a redirect to a
/// loopback address and a PNG declaring 100000x100000 px each fail the task with input_invalid
/// naming the input, refund it in full, and leave no work or stored input files behind. (Text
/// named .png is refused at upload by UploadTests; fetch errors and bad inputs one by one are in
/// InputPreparationTests and WorkerInputPreparationTests.)
/// </summary>
public sealed class HostileMediaEndToEndTests
{
    private const string ImageToVideo = "seedance-2.0-image-to-video";

    [Fact]
    public async Task Task_FailsInputInvalidWithFullRefund_WhenTheImageRedirectsToLoopbackAddress()
    {
        await using var remote = await LoopbackFiles.StartAsync();
        var target = remote.Url("/img.png", host: "127.0.0.1");
        remote.Serve("/img.png", await TestMedia.PngAsync(640, 480));

        await AssertRefusedAsync(remote.Redirect("/elsewhere.png", target), "could not be fetched (refused: loopback address (127.0.0.1))");

        Assert.False(remote.Requests.ContainsKey("/img.png"), "the refused target was fetched");
    }

    [Fact]
    public async Task Task_FailsInputInvalidWithFullRefund_WhenTheRemotePngDeclares100000Square()
    {
        await using var remote = await LoopbackFiles.StartAsync();

        await AssertRefusedAsync(remote.Serve("/huge.png", HugePng()), "is 100000x100000 px; images must be 300 to 6000 px a side");
    }

    /// <summary>An image-to-video of this image (the first frame) fails naming input.image_urls[0] and the problem; nothing is charged or left.</summary>
    private static async Task AssertRefusedAsync(string url, string problem)
    {
        await using var server = await ReelgateTestServer.StartAsync(new Dictionary<string, string?> { ["Reelgate:Inputs:AllowedHosts:0"] = "localhost" });
        var (_, _, key) = await server.CreateAccountAsync(1000);
        using var client = server.NewClient(key);

        var data = await RunAsync(client, ImageToVideo, new { prompt = "a hostile image", image_urls = new[] { url }, resolution = "480p", duration = 4 });

        Assert.Equal(("fail", "input_invalid"), ((string?)data["state"], (string?)data["failCode"]));
        Assert.Equal($"input.image_urls[0] {problem}; the cost was refunded", (string?)data["failMsg"]);
        Assert.Equal(0, (long)data["creditsConsumed"]!);
        Assert.Equal(1000, await client.CreditsAsync());
        var work = Path.Combine(server.DataDirectory, "work");
        Assert.Empty(Directory.Exists(work) ? Directory.EnumerateFileSystemEntries(work, "*", SearchOption.AllDirectories) : []);
        var results = Path.Combine(server.DataDirectory, "results");
        Assert.Empty(Directory.Exists(results) ? Directory.EnumerateFileSystemEntries(results, "task_*", SearchOption.AllDirectories) : []);
        await server.AssertAuditOkAsync();
    }

    /// <summary>A PNG signature and an IHDR chunk declaring 100000x100000 px (RGB, 8 bit), then IEND: nothing could decode it.</summary>
    private static byte[] HugePng()
    {
        var bytes = new byte[8 + 25 + 12];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), 13);
        "IHDR"u8.CopyTo(bytes.AsSpan(12));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), 100000);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), 100000);
        bytes[24] = 8;
        bytes[25] = 2;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(29), Crc32(bytes.AsSpan(12, 17)));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(33), 0);
        "IEND"u8.CopyTo(bytes.AsSpan(37));
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(41), 0xAE426082);
        return bytes;
    }

    /// <summary>The CRC-32 a PNG chunk carries (over its type and data), so only the declared size is wrong.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
