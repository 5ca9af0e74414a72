namespace Reelgate.Core.Accounts;

/// <summary>
/// The bound on credits, the one place it is stated. Every surface that takes an amount (admin
/// API, web app, sign-up option) checks it, and both databases refuse a balance above it.
/// </summary>
public static class Credits
{
    /// <summary>
    /// 10^15: the most credits an account may hold, and the largest starting balance, top-up or
    /// deduction. Far above any real balance, and 9000 times below <see cref="long.MaxValue"/>, so
    /// a balance plus any accepted amount (and the credits its running tasks may refund) can never
    /// overflow a 64-bit integer in C#, SQLite or PostgreSQL.
    /// </summary>
    public const long MaxBalance = 1_000_000_000_000_000;

    /// <summary>
    /// Whether a change of <paramref name="amount"/> keeps the balance within the bound. The
    /// credits <paramref name="reserved"/> by the account's waiting tasks count, because a failure
    /// refunds them and a refund is never refused: with balance + reserved &lt;= bound kept at
    /// every top-up, a refund cannot take the balance over it. Deductions always fit (the
    /// separate rule that a balance never goes below zero refuses the ones that do not).
    /// </summary>
    public static bool Fits(long balance, decimal reserved, long amount) =>
        amount <= 0 || (decimal)balance + reserved + amount <= MaxBalance;
}
