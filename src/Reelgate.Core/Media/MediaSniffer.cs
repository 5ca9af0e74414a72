namespace Reelgate.Core.Media;

/// <summary>
/// Names a file's format from its first bytes alone (never from its name): PNG and JPEG
/// signatures, RIFF WEBP and RIFF WAVE, the ISO base media <c>ftyp</c> box (brand <c>qt  </c> is
/// MOV, <c>M4A </c>/<c>M4B </c> is M4A, any other MP4), and MP3 by an ID3 tag or an MPEG audio
/// frame sync. <see cref="HeadLength"/> bytes are enough.
/// </summary>
public static class MediaSniffer
{
    /// <summary>How many leading bytes <see cref="Sniff"/> looks at.</summary>
    public const int HeadLength = 16;

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The format the bytes start like, or null when they are none of the accepted ones.</summary>
    public static MediaFormat? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(PngSignature))
        {
            return MediaFormat.Png;
        }

        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            return MediaFormat.Jpeg;
        }

        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8))
        {
            var form = head[8..12];
            return form.SequenceEqual("WEBP"u8) ? MediaFormat.WebP : form.SequenceEqual("WAVE"u8) ? MediaFormat.Wav : null;
        }

        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = head[8..12];
            return brand.SequenceEqual("qt  "u8) ? MediaFormat.Mov
                : brand.SequenceEqual("M4A "u8) || brand.SequenceEqual("M4B "u8) ? MediaFormat.M4a
                : MediaFormat.Mp4;
        }

        if (head.StartsWith("ID3"u8))
        {
            return MediaFormat.Mp3;
        }

        // MPEG audio frame: 11 sync bits, a version other than "reserved" (01), a layer other
        // than "reserved" (00; ADTS AAC uses 00 and is not MP3), a bitrate index other than 1111.
        if (head.Length >= 3 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0
            && (head[1] & 0x18) != 0x08 && (head[1] & 0x06) != 0 && (head[2] & 0xF0) != 0xF0)
        {
            return MediaFormat.Mp3;
        }

        return null;
    }
}
