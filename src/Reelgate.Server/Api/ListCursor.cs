using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Reelgate.Core.Tasks;

namespace Reelgate.Server.Api;

/// <summary>The opaque list cursor: base64url of <c>{createTime}:{taskId}</c>.</summary>
public static class ListCursor
{
    public static string Encode(TaskCursor cursor) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{cursor.CreateTime.ToString(CultureInfo.InvariantCulture)}:{cursor.TaskId}"));

    public static TaskCursor? Decode(string text)
    {
        if (text.Length > 200)
        {
            return null;
        }

        try
        {
            var raw = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text));
            var colon = raw.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 && long.TryParse(raw.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var time) && raw[(colon + 1)..].StartsWith("task_", StringComparison.Ordinal)
                ? new TaskCursor(time, raw[(colon + 1)..])
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
