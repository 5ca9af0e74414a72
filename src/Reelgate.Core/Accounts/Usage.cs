using System.Globalization;

namespace Reelgate.Core.Accounts;

/// <summary>A charge or refund of the ledger with its task's model and key (null for entries of no task).</summary>
public sealed record UsageEntry(string Kind, long Amount, long CreatedAt, string? Model, string? KeyId);

/// <summary>A task created in the report's range: its state, when, which model and key.</summary>
public sealed record UsageTask(string State, long CreateTime, string Model, string KeyId);

/// <summary>One group of a usage report: credits charged, refunded and net (charged - refunded), tasks by state.</summary>
public sealed record UsageRow(string Group, long Charged, long Refunded, long Net, int Tasks, int Success, int Fail, int Waiting);

/// <summary>
/// The UTC days <see cref="From"/>..<see cref="To"/> (inclusive) of a usage report, as the API's
/// and the web app's <c>from</c>/<c>to</c> read them: <c>yyyy-MM-dd</c>, default the last 30 days
/// up to today, at most <see cref="MaxDays"/>.
/// </summary>
public sealed record UsageRange(DateOnly From, DateOnly To)
{
    public const int MaxDays = 366;

    public const int DefaultDays = 30;

    /// <summary>The first millisecond of <see cref="From"/> (Unix ms, UTC).</summary>
    public long Start => new DateTimeOffset(From.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>The first millisecond after <see cref="To"/> (Unix ms, UTC; exclusive).</summary>
    public long End => new DateTimeOffset(To.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();

    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>The last <see cref="DefaultDays"/> UTC days up to and including <paramref name="today"/>.</summary>
    public static UsageRange Last30Days(DateOnly today) => new(today.AddDays(-(DefaultDays - 1)), today);

    /// <summary>Reads <paramref name="from"/> and <paramref name="to"/> (null: the default); on failure the message says what is wrong.</summary>
    public static bool TryParse(string? from, string? to, DateOnly today, out UsageRange range, out string error)
    {
        range = Last30Days(today);
        error = "";
        if (!Day(to, today, out var last))
        {
            error = "to must be a UTC day written yyyy-MM-dd";
            return false;
        }

        if (!Day(from, last.AddDays(-(DefaultDays - 1)), out var first))
        {
            error = "from must be a UTC day written yyyy-MM-dd";
            return false;
        }

        if (first > last || last.DayNumber - first.DayNumber >= MaxDays)
        {
            error = $"from must be on or before to, at most {MaxDays} days apart";
            return false;
        }

        range = new UsageRange(first, last);
        return true;
    }

    /// <summary>The name a CSV download of this range and grouping is saved as.</summary>
    public string CsvFileName(string groupBy) => $"usage-{Text(From)}-{Text(To)}-{groupBy}.csv";

    public static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static bool Day(string? text, DateOnly fallback, out DateOnly day)
    {
        day = fallback;
        return text is null || DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }
}

/// <summary>
/// Usage from the ledger (issue 23): charges and refunds grouped by the UTC day of the ledger
/// entry, the task's model or its key; tasks counted by state in the group of their creation
/// (day of createTime, model, key). The sums are the ledger's, so charged - refunded over a
/// range is what the balance lost to tasks in it.
/// </summary>
public static class UsageReport
{
    public static readonly IReadOnlyList<string> Groupings = ["day", "model", "key"];

    public static IReadOnlyList<UsageRow> Build(IReadOnlyList<UsageEntry> entries, IReadOnlyList<UsageTask> tasks, string groupBy)
    {
        string Of(long at, string? model, string? key) => groupBy switch
        {
            "day" => DateTimeOffset.FromUnixTimeMilliseconds(at).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "model" => model ?? "",
            "key" => key ?? "",
            _ => throw new ArgumentOutOfRangeException(nameof(groupBy), groupBy, "day, model or key"),
        };

        var rows = new SortedDictionary<string, (long Charged, long Refunded, int Tasks, int Success, int Fail, int Waiting)>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var g = Of(e.CreatedAt, e.Model, e.KeyId);
            var r = rows.GetValueOrDefault(g);
            rows[g] = e.Kind == "charge" ? r with { Charged = r.Charged - e.Amount } : r with { Refunded = r.Refunded + e.Amount };
        }

        foreach (var t in tasks)
        {
            var g = Of(t.CreateTime, t.Model, t.KeyId);
            var r = rows.GetValueOrDefault(g);
            rows[g] = r with
            {
                Tasks = r.Tasks + 1,
                Success = r.Success + (t.State == "success" ? 1 : 0),
                Fail = r.Fail + (t.State == "fail" ? 1 : 0),
                Waiting = r.Waiting + (t.State == "waiting" ? 1 : 0),
            };
        }

        return [.. rows.Select(p => new UsageRow(p.Key, p.Value.Charged, p.Value.Refunded, p.Value.Charged - p.Value.Refunded, p.Value.Tasks, p.Value.Success, p.Value.Fail, p.Value.Waiting))];
    }

    /// <summary>The sums of the rows, as a row named <c>total</c>.</summary>
    public static UsageRow Total(IReadOnlyList<UsageRow> rows) =>
        new("total", rows.Sum(r => r.Charged), rows.Sum(r => r.Refunded), rows.Sum(r => r.Net), rows.Sum(r => r.Tasks), rows.Sum(r => r.Success), rows.Sum(r => r.Fail), rows.Sum(r => r.Waiting));

    /// <summary>The rows as CSV (RFC 4180: a header line, CRLF line ends, fields quoted when they need it).</summary>
    public static string Csv(IReadOnlyList<UsageRow> rows)
    {
        var b = new System.Text.StringBuilder("group,charged,refunded,net,tasks,success,fail,waiting\r\n");
        foreach (var r in rows)
        {
            var group = r.Group.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + r.Group.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : r.Group;
            b.Append(CultureInfo.InvariantCulture, $"{group},{r.Charged},{r.Refunded},{r.Net},{r.Tasks},{r.Success},{r.Fail},{r.Waiting}\r\n");
        }

        return b.ToString();
    }
}
