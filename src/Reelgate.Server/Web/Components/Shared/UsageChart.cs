using System.Globalization;
using Reelgate.Core.Accounts;

namespace Reelgate.Server.Web.Components.Shared;

/// <summary>
/// The geometry of the usage charts (issue 23), drawn on the server as inline SVG: no script, so
/// nothing for the page's content policy to refuse. The SVGs stretch to their box
/// (<c>preserveAspectRatio="none"</c>) and carry no text; the labels are HTML next to them, so they
/// stay readable from 375 px up.
/// </summary>
public static class UsageChart
{
    /// <summary>The day chart's coordinate width per day and its height.</summary>
    public const double Slot = 10, Height = 100;

    /// <summary>A bar of the day chart, in viewBox units.</summary>
    public sealed record DayBar(DateOnly Day, long Net, string X, string Y, string Width, string BarHeight, bool Negative);

    /// <summary>The scale of the day chart: its top and bottom values and where zero is.</summary>
    public sealed record DayScale(long Top, long Bottom, string ZeroY, string MidY);

    /// <summary>A bar of a split (model or key): its label, net and length in percent of the longest.</summary>
    public sealed record SplitBar(string Label, long Net, string Percent, bool Negative);

    /// <summary>One bar per day of <paramref name="range"/>, zero for days without usage (rows grouped by day).</summary>
    public static (IReadOnlyList<DayBar> Bars, DayScale Scale) Days(UsageRange range, IReadOnlyList<UsageRow> byDay)
    {
        var net = byDay.ToDictionary(r => r.Group, r => r.Net, StringComparer.Ordinal);
        var values = Enumerable.Range(0, range.Days).Select(i => range.From.AddDays(i)).Select(d => (Day: d, Net: net.GetValueOrDefault(UsageRange.Text(d)))).ToList();
        var top = Nice(Math.Max(0, values.Max(v => v.Net)));
        var bottom = values.Min(v => v.Net) < 0 ? -Nice(-values.Min(v => v.Net)) : 0;
        if (top == 0 && bottom == 0)
        {
            top = 1;
        }

        var span = (double)(top - bottom);
        var zero = Height * top / span;
        var bars = values.Select((v, i) =>
        {
            // A bar of any non-zero amount stays visible (at least a hairline).
            var h = v.Net == 0 ? 0 : Math.Max(Height * Math.Abs(v.Net) / span, 0.8);
            return new DayBar(v.Day, v.Net, N((i * Slot) + 1.5), N(v.Net >= 0 ? zero - h : zero), N(Slot - 3), N(h), v.Net < 0);
        }).ToList();
        return (bars, new DayScale(top, bottom, N(zero), N(Height * top / 2 / span)));
    }

    /// <summary>The rows largest net first (ties by name): the order of a split's bars and its table.</summary>
    public static IReadOnlyList<UsageRow> Largest(IReadOnlyList<UsageRow> rows) =>
        [.. rows.OrderByDescending(r => r.Net).ThenBy(r => r.Group, StringComparer.Ordinal)];

    /// <summary>The rows (grouped by model or key) as bars in their order; <paramref name="label"/> names a group.</summary>
    public static IReadOnlyList<SplitBar> Split(IReadOnlyList<UsageRow> rows, Func<string, string> label)
    {
        var longest = Math.Max(1, rows.Count == 0 ? 1 : rows.Max(r => Math.Abs(r.Net)));
        return [.. rows.Select(r => new SplitBar(label(r.Group), r.Net, N(100.0 * Math.Abs(r.Net) / longest), r.Net < 0))];
    }

    /// <summary>A key's group as a person knows it: its name and prefix, never the secret.</summary>
    public static string KeyLabel(string keyId, IReadOnlyList<ApiKeyInfo> keys) =>
        keyId.Length == 0 ? "no key"
        : keys.FirstOrDefault(k => k.KeyId == keyId) is { } k ? $"{k.Name} ({k.Prefix}…)"
        : keyId;

    /// <summary>The smallest of 1, 1.5, 2, 3, 4, 5, 6 or 8 times a power of ten that is at least <paramref name="value"/> (0 stays 0): the chart's top, whose half is a round grid line.</summary>
    public static long Nice(long value)
    {
        if (value <= 0)
        {
            return 0;
        }

        for (var power = 1L; ; power *= 10)
        {
            foreach (var tenths in new[] { 10L, 15L, 20L, 30L, 40L, 50L, 60L, 80L })
            {
                if (power > long.MaxValue / 100)
                {
                    return value;
                }

                // Steps under one (1.5 of 1) round up to whole credits.
                var step = ((tenths * power) + 9) / 10;
                if (step >= value)
                {
                    return step;
                }
            }
        }
    }

    public static string ShortDay(DateOnly day) => day.ToString("MMM d", CultureInfo.InvariantCulture);

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
