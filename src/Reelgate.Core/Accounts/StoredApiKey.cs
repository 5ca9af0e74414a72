namespace Reelgate.Core.Accounts;

/// <summary>An API key row as the authenticator needs it: the hash to compare and the account's state.</summary>
public sealed record StoredApiKey(string KeyId, string AccountId, string Tier, byte[] Hash, bool Revoked, bool AccountDisabled)
{
    /// <summary>The key's address allowlist and expiry (checked on every request) and its credit limit.</summary>
    public KeyLimits Limits { get; init; } = KeyLimits.None;
}
