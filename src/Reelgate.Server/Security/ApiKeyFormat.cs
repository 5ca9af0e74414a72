using System.Security.Cryptography;
using System.Text;

namespace Reelgate.Server.Security;

/// <summary>
/// API keys: <c>sk-</c> + 40 random base62 characters (at least 32 are accepted). Only the
/// SHA-256 hash is stored (keys are long random secrets, so a fast hash is enough), plus a
/// display prefix (<c>sk-</c> + 8 characters) that is also the lookup index.
/// </summary>
public static class ApiKeyFormat
{
    public const string Scheme = "sk-";
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const int PrefixChars = 8;

    public static string Generate() => Scheme + RandomBase62(40);

    public static string RandomBase62(int length) => RandomNumberGenerator.GetString(Base62, length);

    /// <summary>True for <c>sk-</c> followed by 32 to 128 base62 characters.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> key)
    {
        if (!key.StartsWith(Scheme, StringComparison.Ordinal) || key.Length < Scheme.Length + 32 || key.Length > Scheme.Length + 128)
        {
            return false;
        }

        foreach (var c in key[Scheme.Length..])
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    public static string Prefix(string key) => key[..(Scheme.Length + PrefixChars)];

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
