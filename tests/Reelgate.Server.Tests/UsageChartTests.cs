using System.Globalization;
using Reelgate.Core.Accounts;
using Reelgate.Server.Web.Components.Shared;

namespace Reelgate.Server.Tests;

/// <summary>The web app's usage chart geometry (issue 23) and the shared usage range, without a browser.</summary>
public sealed class UsageChartTests
{
    private static readonly UsageRange Range = UsageRange.Last30Days(new DateOnly(2026, 3, 10));

    private static UsageRow Day(string day, long net) => new(day, Math.Max(net, 0), Math.Max(-net, 0), net, 1, 1, 0, 0);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(3, 3)]
    [InlineData(7, 8)]
    [InlineData(9, 10)]
    [InlineData(11, 15)]
    [InlineData(228, 300)]
    [InlineData(301, 400)]
    [InlineData(5000, 5000)]
    [InlineData(5001, 6000)]
    [InlineData(80_001, 100_000)]
    public void Nice_IsTheSmallestRoundTopAtLeastTheValue(long value, long top) => Assert.Equal(top, UsageChart.Nice(value));

    [Fact]
    public void Days_DrawsABarPerDay_ZeroDaysEmpty_AndARefundDayBelowZero()
    {
        var (bars, scale) = UsageChart.Days(Range, [Day("2026-02-09", 120), Day("2026-03-01", -40), Day("2026-03-10", 228)]);

        Assert.Equal(30, bars.Count);
        Assert.Equal((new DateOnly(2026, 2, 9), new DateOnly(2026, 3, 10)), (bars[0].Day, bars[^1].Day));
        Assert.Equal(3, bars.Count(b => b.Net != 0));
        Assert.All(bars.Where(b => b.Net == 0), b => Assert.Equal("0", b.BarHeight));
        Assert.Equal((300L, -40L), (scale.Top, scale.Bottom));

        // 340 credits span 100 units: zero at 300/340 of the height; 228 up from it, 40 down.
        var zero = double.Parse(scale.ZeroY, CultureInfo.InvariantCulture);
        Assert.Equal(88.24, zero, 2);
        var last = bars[^1];
        Assert.Equal(100 * 228 / 340.0, double.Parse(last.BarHeight, CultureInfo.InvariantCulture), 2);
        Assert.Equal(zero - (100 * 228 / 340.0), double.Parse(last.Y, CultureInfo.InvariantCulture), 1);
        var refund = bars.Single(b => b.Net < 0);
        Assert.True(refund.Negative);
        Assert.Equal(zero, double.Parse(refund.Y, CultureInfo.InvariantCulture), 2);
        Assert.Equal("291.5", last.X); // the 30th slot of 10 units, inset 1.5
    }

    [Fact]
    public void Split_KeepsTheOrder_ScalesToTheLongest_AndNamesKeysByNameAndPrefix()
    {
        var rows = UsageChart.Largest([Day("key_b", 48), Day("key_a", 180), Day("", 0)]);
        Assert.Equal(["key_a", "key_b", ""], rows.Select(r => r.Group));
        ApiKeyInfo[] keys = [new("key_a", "sk-AbCd", "alpha", "basic", false)];
        var bars = UsageChart.Split(rows, k => UsageChart.KeyLabel(k, keys));
        Assert.Equal(["alpha (sk-AbCd…)", "key_b", "no key"], bars.Select(b => b.Label));
        Assert.Equal(["100", "26.67", "0"], bars.Select(b => b.Percent));
    }

    [Theory]
    [InlineData(null, null, "2026-02-09", "2026-03-10")]
    [InlineData("2026-03-01", null, "2026-03-01", "2026-03-10")]
    [InlineData(null, "2026-01-31", "2026-01-02", "2026-01-31")]
    public void Range_DefaultsToTheLast30DaysUpToTo(string? from, string? to, string first, string last)
    {
        Assert.True(UsageRange.TryParse(from, to, new DateOnly(2026, 3, 10), out var range, out _));
        Assert.Equal((first, last), (UsageRange.Text(range.From), UsageRange.Text(range.To)));
        Assert.Equal(range.End - range.Start, range.Days * 86_400_000L);
        Assert.Equal($"usage-{first}-{last}-model.csv", range.CsvFileName("model"));
    }

    [Theory]
    [InlineData("2026-3-01", null, "from must be")]
    [InlineData(null, "", "to must be")]
    [InlineData("2026-03-02", "2026-03-01", "on or before")]
    [InlineData("2025-03-09", "2026-03-10", "at most 366 days")]
    public void Range_RefusesWhatIsNotADayOrTooLong(string? from, string? to, string error)
    {
        Assert.False(UsageRange.TryParse(from, to, new DateOnly(2026, 3, 10), out _, out var message));
        Assert.Contains(error, message, StringComparison.Ordinal);
    }
}
