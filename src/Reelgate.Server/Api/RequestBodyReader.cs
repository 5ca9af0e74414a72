using System.Buffers;
using System.Text.Unicode;

namespace Reelgate.Server.Api;

/// <summary>
/// Reads a request body up to <see cref="MaxBytes"/> (1 MiB). A larger body is refused with
/// 400 invalid request without reading the rest of it, and so is a body that is not valid UTF-8
/// anywhere (RFC 8259 requires it; System.Text.Json only checks the strings it decodes, so a
/// bad byte in a skipped or stored value would otherwise pass, or fail later as a 500).
/// </summary>
public static class RequestBodyReader
{
    public const int MaxBytes = 1 << 20;

    /// <summary>The body bytes, or null when it is larger than the limit, not valid UTF-8, or the client broke off.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, CancellationToken ct) =>
        await ReadBytesAsync(request, ct) is { } body && Utf8.IsValid(body) ? body : null;

    /// <summary>
    /// The body bytes without its byte order mark, not yet checked for UTF-8 (for a surface that
    /// answers invalid UTF-8 differently from an oversized body), or null when it is larger than
    /// the limit or the client broke off.
    /// </summary>
    public static async Task<byte[]?> ReadBytesAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBytes)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is { } n and > 0 ? (int)n + 1 : 16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, MaxBytes + 1) - length), ct);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > MaxBytes)
                {
                    return null;
                }
            }

            // A leading byte order mark is dropped (RFC 8259 lets a parser ignore it; the JSON
            // readers here would refuse it).
            var body = buffer.AsSpan(0, length);
            if (body.StartsWith("\uFEFF"u8))
            {
                body = body[3..];
            }

            return body.ToArray();
        }
        catch (BadHttpRequestException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>True when Content-Type is absent or JSON (application/json, optionally with charset=utf-8).</summary>
    public static bool HasJsonContentType(HttpRequest request)
    {
        var type = request.ContentType;
        if (string.IsNullOrEmpty(type))
        {
            return true;
        }

        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(type, out var media))
        {
            return false;
        }

        var charset = media.Charset.Value;
        return media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            && (charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));
    }
}
