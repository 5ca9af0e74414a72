namespace Reelgate.Server.Inputs;

/// <summary>
/// <c>data:</c> URIs of media inputs: <c>data:{mime};base64,{bytes}</c> (the MIME type is not
/// trusted: inspection decides what the bytes are). Decoded with the kind's size limit checked
/// on the encoded length first, so an oversized URI is never decoded.
/// </summary>
public static class DataUri
{
    public static bool Is(string url) => url.StartsWith("data:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Writes the decoded bytes to <paramref name="destination"/>, or returns why not.</summary>
    public static async Task<FetchOutcome> DecodeToFileAsync(string url, string destination, long maxBytes, CancellationToken ct)
    {
        var comma = url.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0 || !url.AsSpan(0, comma).EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
        {
            return FetchOutcome.Refused("is a data: URI that is not base64 (use data:<type>;base64,<bytes>)");
        }

        var encoded = url.AsSpan(comma + 1);
        if ((long)encoded.Length / 4 * 3 > maxBytes + 2)
        {
            return FetchOutcome.TooLarge(maxBytes);
        }

        var bytes = new byte[encoded.Length / 4 * 3 + 3];
        if (!Convert.TryFromBase64Chars(encoded, bytes, out var written))
        {
            return FetchOutcome.Refused("is a data: URI whose base64 does not decode");
        }

        if (written > maxBytes)
        {
            return FetchOutcome.TooLarge(maxBytes);
        }

        if (written == 0)
        {
            return FetchOutcome.Refused("is empty");
        }

        await File.WriteAllBytesAsync(destination, bytes.AsMemory(0, written), ct);
        return FetchOutcome.Done;
    }
}
