using System.Security.Cryptography;

namespace Reelgate.Core.Uploads;

/// <summary>
/// Upload ids: <c>file_</c> and 24 random base62 characters (about 143 bits), so an id can be
/// neither guessed nor enumerated; unlike task ids they carry no time, since nothing lists
/// uploads in order. They fit the result-key shape <c>file_{id}/source.{ext}</c>.
/// </summary>
public static class FileIds
{
    public const string Prefix = "file_";
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string New() => Prefix + RandomNumberGenerator.GetString(Base62, 24);

    /// <summary>Whether <paramref name="id"/> has the shape <see cref="New"/> makes (checked before any lookup).</summary>
    public static bool IsValid(string id) =>
        id.Length == Prefix.Length + 24 && id.StartsWith(Prefix, StringComparison.Ordinal) && !id.AsSpan(Prefix.Length).ContainsAnyExcept(Base62.AsSpan());
}
