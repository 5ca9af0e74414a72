namespace Reelgate.Server.Uploads;

/// <summary>
/// The client's file name and upload path, cleaned for display only: they are never part of a
/// key or a path on disk (keys are <c>file_{id}/source.{ext}</c>). Control characters and
/// backslashes go, <c>.</c> and <c>..</c> segments go, and each is cut to a sane length.
/// </summary>
public static class UploadNames
{
    private const int MaxName = 255;
    private const int MaxPath = 512;

    /// <summary>The last segment of the client's name, or <paramref name="fallback"/> when nothing is left of it.</summary>
    public static string FileName(string? name, string fallback)
    {
        var segments = Segments(name);
        var last = segments.Count == 0 ? "" : segments[^1];
        return last.Length == 0 ? fallback : last.Length > MaxName ? last[..MaxName] : last;
    }

    /// <summary><c>uploadPath/fileName</c> with the path's segments cleaned (kie.ai's <c>filePath</c>).</summary>
    public static string FilePath(string? uploadPath, string fileName)
    {
        var dir = string.Join('/', Segments(uploadPath));
        var path = dir.Length == 0 ? fileName : dir + "/" + fileName;
        return path.Length > MaxPath ? path[^MaxPath..] : path;
    }

    private static List<string> Segments(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        var clean = new string(value.Where(c => !char.IsControl(c)).Select(c => c == '\\' ? '/' : c).ToArray());
        return clean.Split('/', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(s => s is not ("." or ".."))
            .ToList();
    }
}
