namespace Reelgate.Core.Accounts;

/// <summary>What may be shown of an API key: never the key, only its display prefix.</summary>
public sealed record ApiKeyInfo(string KeyId, string Prefix, string Name, string Tier, bool Revoked)
{
    /// <summary>The key's spend limit, address allowlist and expiry.</summary>
    public KeyLimits Limits { get; init; } = KeyLimits.None;

    /// <summary>When the key was created (Unix ms).</summary>
    public long CreateTime { get; init; }
}
