namespace Reelgate.Server.Uploads;

/// <summary>
/// Decodes an upload's <c>base64Data</c>: plain base64, or a <c>data:</c> URL
/// (<c>data:image/png;base64,...</c>). The media type a data URL declares is ignored: the content
/// decides what the file is.
/// </summary>
public static class Base64Payload
{
    /// <summary>The bytes, or null when the text is neither valid base64 nor a base64 <c>data:</c> URL.</summary>
    public static byte[]? Decode(string text)
    {
        var data = text.AsSpan().Trim();
        if (data.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = data.IndexOf(',');
            if (comma < 0 || !data[..comma].EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            data = data[(comma + 1)..];
        }

        var buffer = new byte[data.Length / 4 * 3 + 3];
        return Convert.TryFromBase64Chars(data, buffer, out var written) ? buffer[..written] : null;
    }
}
