using System.Globalization;

namespace Reelgate.Server.Web.Components.Shared;

/// <summary>Formatting shared by the pages.</summary>
public static class Fmt
{
    public static string Credits(long credits) => credits.ToString("N0", CultureInfo.InvariantCulture);

    public static string Time(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
}
