namespace Reelgate.Data.Sqlite;

/// <summary>
/// Exact per-account ledger sums on SQLite. SUM over integers fails with "integer overflow" once a
/// partial sum leaves the 64-bit range, and total() is a double (inexact past 2^53), so each
/// amount is split into its high 32 bits (arithmetic shift: sign kept) and its low 32 bits
/// (0 to 2^32-1): amount = hi * 2^32 + lo. Neither column's SUM can overflow below 2^31 ledger
/// rows per account, and the two are combined in C# as a decimal.
/// </summary>
internal static class LedgerSums
{
    /// <summary>A derived table <c>(account_id, hi, lo)</c> with one row per account that has ledger rows.</summary>
    public const string PerAccount =
        "(SELECT account_id, SUM(amount >> 32) AS hi, SUM(amount & 4294967295) AS lo FROM ledger GROUP BY account_id)";

    /// <summary>The same combination in SQL, for comparisons inside a query (a REAL only when the sum leaves the long range).</summary>
    public const string CombinedSql = "(COALESCE(s.hi, 0) * 4294967296 + COALESCE(s.lo, 0))";

    public static decimal Combine(long hi, long lo) => hi * 4294967296m + lo;
}
