using System.Text.RegularExpressions;

namespace Reelgate.Core.Results;

/// <summary>
/// The one shape a stored key may have: <c>task_{id}/{name}.{ext}</c> (results, a task's fetched
/// inputs, its last frame) or <c>file_{id}/{name}.{ext}</c> (uploads), with the extensions of
/// the formats Reelgate makes or accepts. Names are chosen by Reelgate, never by a client.
/// </summary>
public static partial class ResultKeys
{
    public static bool IsValid(string key) => Pattern().IsMatch(key);

    public static string ContentType(string key) => Path.GetExtension(key) switch
    {
        ".mp4" => "video/mp4",
        ".jpg" => "image/jpeg",
        ".png" => "image/png",
        ".webp" => "image/webp",
        ".mov" => "video/quicktime",
        ".mp3" => "audio/mpeg",
        ".wav" => "audio/wav",
        ".m4a" => "audio/mp4",
        _ => "application/octet-stream",
    };

    [GeneratedRegex(@"^(task|file)_[A-Za-z0-9]{1,64}/[a-z0-9-]{1,32}\.(mp4|jpg|png|webp|mov|mp3|wav|m4a)$")]
    private static partial Regex Pattern();
}
