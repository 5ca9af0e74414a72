namespace Reelgate.Core.Accounts;

/// <summary>
/// Accounts, API keys and the credit ledger. Ledger rule: every change of an account's
/// balance is an appended ledger entry in the same transaction, so balance == sum(ledger)
/// always holds, and the balance can never go below zero.
/// </summary>
public interface IAccountStore
{
    /// <summary>Creates an account; a non-zero starting balance is a <c>grant</c> ledger entry.</summary>
    Task CreateAccountAsync(string accountId, string name, long credits, long now, CancellationToken ct);

    Task<Account?> GetAccountAsync(string accountId, CancellationToken ct);

    Task<long?> GetBalanceAsync(string accountId, CancellationToken ct);

    Task<CreditAdjustment> AdjustCreditsAsync(string accountId, long amount, string reason, long now, CancellationToken ct);

    /// <summary>Stores a key's hash, display prefix and limits; false when the account does not exist.</summary>
    Task<bool> CreateKeyAsync(string keyId, string accountId, string name, string tier, string prefix, byte[] hash, KeyLimits limits, long now, CancellationToken ct);

    /// <summary>A key and its account id; null when no such key exists.</summary>
    Task<(string AccountId, ApiKeyInfo Key)?> GetKeyAsync(string keyId, CancellationToken ct);

    /// <summary>Replaces a key's limits; false when no such key exists.</summary>
    Task<bool> SetKeyLimitsAsync(string keyId, KeyLimits limits, CancellationToken ct);

    /// <summary>What the key's tasks created on UTC days from the one of <paramref name="since"/> (Unix ms; a period start is a UTC midnight) cost, refunds given back: the spend its credit limit counts.</summary>
    Task<long> KeySpentSinceAsync(string keyId, long since, CancellationToken ct);

    /// <summary>Keys whose lookup prefix matches; the caller compares hashes in constant time.</summary>
    Task<IReadOnlyList<StoredApiKey>> FindKeysByLookupAsync(string lookup, CancellationToken ct);

    /// <summary>Revokes a key; returns its account id, or null when no such key exists.</summary>
    Task<string?> RevokeKeyAsync(string keyId, long now, CancellationToken ct);

    Task<bool> DisableAccountAsync(string accountId, long now, CancellationToken ct);

    /// <summary>The account's ledger, newest first, entries with id below <paramref name="beforeId"/> (keyset paging).</summary>
    Task<IReadOnlyList<LedgerEntry>> LedgerAsync(string accountId, long? beforeId, int limit, CancellationToken ct);

    /// <summary>Credits spent on tasks since <paramref name="since"/> (Unix ms): charges minus refunds.</summary>
    Task<long> SpentSinceAsync(string accountId, long since, CancellationToken ct);

    /// <summary>The account's charges and refunds with <c>from &lt;= created_at &lt; to</c> (with their task's model and key), and its tasks created in that range (<see cref="UsageReport"/>).</summary>
    Task<(IReadOnlyList<UsageEntry> Entries, IReadOnlyList<UsageTask> Tasks)> UsageAsync(string accountId, long from, long to, CancellationToken ct);

    /// <summary>Accounts, newest first, at most <paramref name="limit"/>; <paramref name="search"/> matches id or name.</summary>
    Task<IReadOnlyList<AccountSummary>> ListAccountsAsync(string? search, int limit, CancellationToken ct);

    /// <summary>Every account's balance against the sum of its ledger.</summary>
    Task<IReadOnlyList<LedgerAuditEntry>> AuditAsync(CancellationToken ct);
}
