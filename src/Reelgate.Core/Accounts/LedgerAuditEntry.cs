namespace Reelgate.Core.Accounts;

/// <summary>One account's audit line: its balance against the sum of its ledger.</summary>
public sealed record LedgerAuditEntry(string AccountId, long Balance, long LedgerSum)
{
    public bool Ok => Balance == LedgerSum && Balance >= 0;
}
