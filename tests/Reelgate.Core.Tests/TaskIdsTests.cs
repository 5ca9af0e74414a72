using Reelgate.Core.Tasks;

namespace Reelgate.Core.Tests;

public sealed class TaskIdsTests
{
    [Fact]
    public void New_SortsByCreationAndCarriesTheTime()
    {
        var now = new DateTimeOffset(2026, 11, 24, 23, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var ids = Enumerable.Range(0, 1000).Select(i => TaskIds.New(now + (i / 100))).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.All(ids, id => Assert.Matches("^task_[0-9a-f]{32}$", id));
        var later = TaskIds.New(now + 60_000);
        Assert.Equal(now + 60_000, Convert.ToInt64(later[5..21], 16) >> 20);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
