using System.Buffers.Binary;
using Reelgate.Core.Media;

namespace Reelgate.Server.Tests.Infrastructure;

/// <summary>
/// A test double of <see cref="IMediaInspector"/> (the real one is the media feature's): accepts
/// PNGs by their signature and reads the size from IHDR; refuses anything else with the real
/// inspector's phrase. Counts calls.
/// </summary>
public sealed class PngOnlyInspector : IMediaInspector
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public int Calls { get; private set; }

    public async Task<MediaCheck> InspectAsync(string path, MediaKind? expected, CancellationToken ct)
    {
        Calls++;
        var bytes = await File.ReadAllBytesAsync(path, ct);
        if (bytes.Length < 24 || !bytes.AsSpan(0, 8).SequenceEqual(Signature))
        {
            return MediaCheck.Refused("is not a JPEG, PNG or WebP image");
        }

        var width = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4));
        var height = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4));
        return MediaCheck.Accepted(new MediaInfo(MediaKind.Image, "image/png", "png", bytes.Length, width, height, 0));
    }
}
