using System.Security.Cryptography;

namespace Reelgate.Core.Tasks;

/// <summary>
/// Task ids that sort by creation on this node: <c>task_</c> + 16 hex digits holding Unix
/// milliseconds (44 bits, enough until the year 2527) and a per-process sequence (20 bits), then
/// 16 random hex digits. Two tasks created in the same millisecond still sort in creation order,
/// so "newest first" lists are exact; the random tail keeps ids unguessable.
/// </summary>
public static partial class TaskIds
{
    private static long _last;

    public static string New(long unixMilliseconds)
    {
        // (ms << 20 | sequence), strictly increasing even when the clock stands still or steps back.
        long next, last;
        do
        {
            last = Volatile.Read(ref _last);
            next = Math.Max(last + 1, unixMilliseconds << 20);
        }
        while (Interlocked.CompareExchange(ref _last, next, last) != last);

        return "task_" + next.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    }

    /// <summary>True when <paramref name="id"/> has the shape of a task id (checked before any store lookup).</summary>
    public static bool IsWellFormed(string id) => WellFormed().IsMatch(id);

    [System.Text.RegularExpressions.GeneratedRegex("^task_[A-Za-z0-9]{1,64}$")]
    private static partial System.Text.RegularExpressions.Regex WellFormed();
}
