namespace Reelgate.Core.Accounts;

/// <summary>
/// One account's audit line: its balance against the sum of its ledger. Both are decimals so
/// that a ledger whose sum does not fit a 64-bit integer (a damaged or tampered database) is
/// still reported, as broken, rather than failing the audit.
/// </summary>
public sealed record LedgerAuditEntry(string AccountId, decimal Balance, decimal LedgerSum)
{
    public bool Ok => Balance == LedgerSum && Balance >= 0 && Balance <= Credits.MaxBalance;
}
