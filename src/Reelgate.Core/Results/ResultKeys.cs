using System.Text.RegularExpressions;

namespace Reelgate.Core.Results;

/// <summary>The one shape a result key may have: <c>task_{id}/{name}.mp4|jpg</c>.</summary>
public static partial class ResultKeys
{
    public static bool IsValid(string key) => Pattern().IsMatch(key);

    public static string ContentType(string key) => Path.GetExtension(key) switch
    {
        ".mp4" => "video/mp4",
        ".jpg" => "image/jpeg",
        _ => "application/octet-stream",
    };

    [GeneratedRegex(@"^task_[A-Za-z0-9]{1,64}/[a-z0-9]{1,32}\.(mp4|jpg)$")]
    private static partial Regex Pattern();
}
