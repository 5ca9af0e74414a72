namespace Reelgate.Core.Accounts;

/// <summary>One row of an account's credit ledger (append-only).</summary>
/// <param name="Kind"><c>grant</c>, <c>adjust</c>, <c>charge</c> or <c>refund</c>.</param>
public sealed record LedgerEntry(long Id, long Amount, string Kind, string Reason, string? TaskId, long CreateTime);

/// <summary>An account as the admin list shows it.</summary>
public sealed record AccountSummary(string AccountId, string Name, long Credits, bool Disabled, long CreateTime);
