using Reelgate.Core.Media;

namespace Reelgate.Core.Catalog;

/// <summary>
/// The syntax of a media URL at create: an absolute <c>https://</c> or <c>http://</c> URL with a
/// host (at most <see cref="MaxLength"/> characters), or a <c>data:</c> URI whose payload is
/// base64 that decodes to 1 byte up to the kind's limit. Whether the file behind it is a usable
/// image, video or audio is checked when it is fetched (or at upload), by content.
/// </summary>
public static class MediaUrl
{
    public const int MaxLength = 2048;

    /// <summary>The rule broken, as a phrase after the input's name, or null when the syntax is fine.</summary>
    public static string? Problem(string url, MediaKind kind)
    {
        if (IsData(url))
        {
            var comma = url.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0 || !url.AsSpan(5, comma - 5).EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
            {
                return "must be a base64 data: URI (data:<type>;base64,<data>)";
            }

            var payload = url.AsSpan(comma + 1);
            var max = MediaLimits.MaxBytes(kind);
            if ((long)payload.Length / 4 * 3 > max + 3)
            {
                return $"is larger than {max / (1024 * 1024)} MiB";
            }

            var buffer = new byte[(payload.Length / 4 * 3) + 3];
            return payload.Length == 0 || !Convert.TryFromBase64Chars(payload, buffer, out var written) || written == 0 || written > max
                ? "must be a base64 data: URI with valid, non-empty base64 data"
                : null;
        }

        return url.Length <= MaxLength
            && Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            && uri.Host.Length > 0
            ? null
            : $"must be an http(s) URL of at most {MaxLength} characters, a base64 data: URI, or the URL of a file uploaded here";
    }

    public static bool IsData(string url) => url.StartsWith("data:", StringComparison.OrdinalIgnoreCase);

    /// <summary>The bytes of a data: URI whose syntax <see cref="Problem"/> accepted.</summary>
    public static byte[] DecodeData(string url) => Convert.FromBase64String(url[(url.IndexOf(',', StringComparison.Ordinal) + 1)..]);
}
