namespace Reelgate.Core.Accounts;

/// <summary>
/// What a key has spent in its credit period (its whole life when it has no limit), the period's
/// bounds (UTC, Unix ms; no end for <c>total</c>) and the room left under its limit (null without
/// one; never below 0, also when the limit was lowered under what was already spent).
/// </summary>
public sealed record KeySpend(long Spent, long PeriodStart, long? PeriodEnd, long? Room)
{
    public static async Task<KeySpend> OfAsync(IAccountStore accounts, string keyId, KeyLimits limits, long now, CancellationToken ct)
    {
        var period = limits.CreditPeriod ?? KeyCreditPeriod.Total;
        var start = KeyLimits.PeriodStart(period, now);
        var spent = await accounts.KeySpentSinceAsync(keyId, start, ct);
        return new KeySpend(spent, start, KeyLimits.PeriodEnd(period, now), limits.CreditLimit is { } limit ? Math.Max(0, limit - spent) : null);
    }
}
