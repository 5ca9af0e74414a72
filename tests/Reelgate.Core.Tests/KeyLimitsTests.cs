using System.Net;
using Reelgate.Core.Accounts;

namespace Reelgate.Core.Tests;

/// <summary>The calendar of key credit periods and the address allowlist rules (issue 23).</summary>
public sealed class KeyLimitsTests
{
    private static long Ms(int y, int mo, int d, int h = 0, int mi = 0, int s = 0, int ms = 0) =>
        new DateTimeOffset(y, mo, d, h, mi, s, ms, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Theory]
    [InlineData(KeyCreditPeriod.Day, 2026, 12, 31, 23, 59, 59, 999, 2026, 12, 31, 2027, 1, 1)]
    [InlineData(KeyCreditPeriod.Day, 2024, 2, 29, 0, 0, 0, 0, 2024, 2, 29, 2024, 3, 1)]
    [InlineData(KeyCreditPeriod.Month, 2026, 12, 31, 23, 59, 59, 999, 2026, 12, 1, 2027, 1, 1)]
    [InlineData(KeyCreditPeriod.Month, 2024, 2, 29, 12, 0, 0, 0, 2024, 2, 1, 2024, 3, 1)]
    public void Periods_AreUtcCalendarDaysAndMonths(KeyCreditPeriod period, int y, int mo, int d, int h, int mi, int s, int ms, int sy, int smo, int sd, int ey, int emo, int ed)
    {
        var now = Ms(y, mo, d, h, mi, s, ms);
        Assert.Equal(Ms(sy, smo, sd), KeyLimits.PeriodStart(period, now));
        Assert.Equal(Ms(ey, emo, ed), KeyLimits.PeriodEnd(period, now));
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(86_399_999L, 0L)]
    [InlineData(86_400_000L, 1L)]
    [InlineData(-1L, -1L)]
    public void DayOf_IsTheUtcDayNumber(long ms, long day) => Assert.Equal(day, KeyLimits.DayOf(ms));

    [Fact]
    public void TotalPeriod_StartsAtZero_AndNeverEnds()
    {
        Assert.Equal(0, KeyLimits.PeriodStart(KeyCreditPeriod.Total, Ms(2026, 12, 3)));
        Assert.Null(KeyLimits.PeriodEnd(KeyCreditPeriod.Total, Ms(2026, 12, 3)));
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7/32")]
    [InlineData(" 203.0.113.0/24 ", "203.0.113.0/24")]
    [InlineData("2001:db8::1", "2001:db8::1/128")]
    [InlineData("2001:DB8::/32", "2001:db8::/32")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7/32")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    public void Ranges_AreStoredCanonical(string written, string canonical)
    {
        Assert.True(KeyLimits.TryParseRange(written, out var range));
        Assert.Equal(canonical, range.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("localhost")]
    [InlineData("10.0.0.300")]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("fe80::1%eth0")]
    [InlineData("10.0.0.0/")]
    public void Ranges_ThatAreNotAddresses_OrHaveHostBits_AreRefused(string written)
    {
        Assert.False(KeyLimits.TryParseRange(written, out _));
    }

    [Fact]
    public void Allows_MatchesRangesAndMappedAddresses_AndNoListAllowsAll()
    {
        var limits = new KeyLimits(null, null, ["203.0.113.0/24", "2001:db8::/32"], null);
        Assert.True(limits.Allows(IPAddress.Parse("203.0.113.200")));
        Assert.True(limits.Allows(IPAddress.Parse("::ffff:203.0.113.9")));
        Assert.True(limits.Allows(IPAddress.Parse("2001:db8:1::5")));
        Assert.False(limits.Allows(IPAddress.Parse("203.0.114.1")));
        Assert.False(limits.Allows(IPAddress.Parse("127.0.0.1")));
        Assert.False(limits.Allows(null));
        Assert.True(KeyLimits.None.Allows(null));
        Assert.True(new KeyLimits(null, null, null, 10).ExpiredAt(10));
        Assert.False(new KeyLimits(null, null, null, 10).ExpiredAt(9));
    }
}
