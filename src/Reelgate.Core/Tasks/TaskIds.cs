using System.Security.Cryptography;

namespace Reelgate.Core.Tasks;

/// <summary>
/// Task ids that sort by creation on this node: <c>task_</c> + 12 hex digits of Unix
/// milliseconds + 6 hex digits of a per-process sequence + 14 random hex digits. Two tasks
/// created in the same millisecond still sort in creation order, so "newest first" lists are
/// exact; the random tail keeps ids unguessable.
/// </summary>
public static class TaskIds
{
    private static long _last;

    public static string New(long unixMilliseconds)
    {
        // (ms << 24 | sequence), strictly increasing even when the clock stands still or steps back.
        long next, last;
        do
        {
            last = Volatile.Read(ref _last);
            next = Math.Max(last + 1, unixMilliseconds << 24);
        }
        while (Interlocked.CompareExchange(ref _last, next, last) != last);

        return "task_" + next.ToString("x18", System.Globalization.CultureInfo.InvariantCulture) + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(7));
    }
}
