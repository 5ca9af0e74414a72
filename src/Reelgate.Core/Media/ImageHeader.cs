using System.Buffers.Binary;

namespace Reelgate.Core.Media;

/// <summary>
/// The pixel size an image declares in its header, read without decoding anything: PNG's IHDR,
/// JPEG's SOFn marker (walking the segments before it), WebP's VP8, VP8L or VP8X chunk. This is
/// what lets a 100000x100000 PNG be refused before a decoder allocates for it.
/// </summary>
public static class ImageHeader
{
    /// <summary>How much of a file <see cref="Read"/> is given: JPEG metadata segments (EXIF, ICC) come before the frame header.</summary>
    public const int MaxHeadLength = 1024 * 1024;

    /// <summary>The declared width and height, or null when the header is missing, cut short or malformed.</summary>
    public static (int Width, int Height)? Read(MediaFormat format, ReadOnlySpan<byte> head)
    {
        if (format == MediaFormat.Png)
        {
            return Png(head);
        }

        if (format == MediaFormat.Jpeg)
        {
            return Jpeg(head);
        }

        return format == MediaFormat.WebP ? WebP(head) : null;
    }

    /// <summary>Signature (8), then the first chunk must be IHDR: length 13, type, width and height big-endian.</summary>
    private static (int, int)? Png(ReadOnlySpan<byte> b)
    {
        if (b.Length < 24 || BinaryPrimitives.ReadUInt32BigEndian(b[8..]) != 13 || !b[12..16].SequenceEqual("IHDR"u8))
        {
            return null;
        }

        return Positive(BinaryPrimitives.ReadUInt32BigEndian(b[16..]), BinaryPrimitives.ReadUInt32BigEndian(b[20..]));
    }

    /// <summary>Walks the marker segments after SOI to the first SOFn (C0-CF but C4 DHT, C8 JPG, CC DAC).</summary>
    private static (int, int)? Jpeg(ReadOnlySpan<byte> b)
    {
        var i = 2;
        while (i + 1 < b.Length)
        {
            if (b[i] != 0xFF)
            {
                return null;
            }

            var marker = b[i + 1];
            if (marker == 0xFF)
            {
                i++; // fill byte
                continue;
            }

            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                i += 2; // standalone markers have no length
                continue;
            }

            if (marker is 0xD9 or 0xDA || i + 4 > b.Length)
            {
                return null; // end of image or start of scan before any frame header
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(b[(i + 2)..]);
            if (length < 2)
            {
                return null;
            }

            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                // length(2) precision(1) height(2) width(2)
                if (length < 7 || i + 9 > b.Length)
                {
                    return null;
                }

                return Positive(BinaryPrimitives.ReadUInt16BigEndian(b[(i + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(b[(i + 5)..]));
            }

            i += 2 + length;
        }

        return null;
    }

    /// <summary>RIFF header (12), then the first chunk: VP8 (lossy key frame), VP8L (lossless) or VP8X (extended canvas).</summary>
    private static (int, int)? WebP(ReadOnlySpan<byte> b)
    {
        if (b.Length < 30)
        {
            return null;
        }

        var chunk = b[12..16];
        if (chunk.SequenceEqual("VP8 "u8))
        {
            // frame tag (3), start code 9D 01 2A, then 14-bit width and height (2 scale bits each).
            if (b[23] != 0x9D || b[24] != 0x01 || b[25] != 0x2A)
            {
                return null;
            }

            return Positive(BinaryPrimitives.ReadUInt16LittleEndian(b[26..]) & 0x3FFFu, BinaryPrimitives.ReadUInt16LittleEndian(b[28..]) & 0x3FFFu);
        }

        if (chunk.SequenceEqual("VP8L"u8))
        {
            // signature 0x2F, then width-1 and height-1 in 14 bits each, little-endian bit order.
            if (b[20] != 0x2F)
            {
                return null;
            }

            var bits = BinaryPrimitives.ReadUInt32LittleEndian(b[21..]);
            return Positive((bits & 0x3FFFu) + 1, ((bits >> 14) & 0x3FFFu) + 1);
        }

        if (chunk.SequenceEqual("VP8X"u8))
        {
            // flags (4), then canvas width-1 and height-1 in 24 bits each, little-endian.
            var width = b[24] | (b[25] << 8) | (b[26] << 16);
            var height = b[27] | (b[28] << 8) | (b[29] << 16);
            return Positive((uint)width + 1, (uint)height + 1);
        }

        return null;
    }

    private static (int, int)? Positive(uint width, uint height) =>
        width is 0 or > int.MaxValue || height is 0 or > int.MaxValue ? null : ((int)width, (int)height);
}
