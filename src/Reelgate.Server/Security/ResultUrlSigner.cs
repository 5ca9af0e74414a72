using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Reelgate.Server.Security;

/// <summary>
/// Signs result-file URLs: <c>/files/{key}?expires={unix seconds}&amp;sig={base64url HMAC-SHA256}</c>
/// over <c>{key}\n{expires}</c> with the server's secret. Anyone holding the URL can fetch
/// the file until it expires; changing the path or the expiry breaks the signature.
/// </summary>
public sealed class ResultUrlSigner(DataDirectorySecrets secrets, TimeProvider time)
{
    public string Sign(string baseUrl, string key, TimeSpan ttl)
    {
        var expires = time.GetUtcNow().Add(ttl).ToUnixTimeSeconds();
        return $"{baseUrl.TrimEnd('/')}/files/{key}?expires={expires.ToString(CultureInfo.InvariantCulture)}&sig={Signature(key, expires)}";
    }

    /// <summary>Verifies a signature and expiry; constant time over the signature bytes.</summary>
    public bool Verify(string key, string? expires, string? sig)
    {
        if (expires is null || sig is null || !long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var exp))
        {
            return false;
        }

        if (time.GetUtcNow().ToUnixTimeSeconds() > exp)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Signature(key, exp));
        var given = Encoding.ASCII.GetBytes(sig);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>Base64url HMAC-SHA256 of a message with the URL signing secret (also signs the upstream hooks).</summary>
    public static string Mac(DataDirectorySecrets secrets, string message)
    {
        var mac = HMACSHA256.HashData(secrets.UrlSigningKey, Encoding.UTF8.GetBytes(message));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private string Signature(string key, long expires) => Mac(secrets, key + "\n" + expires.ToString(CultureInfo.InvariantCulture));
}
