namespace Reelgate.Core.Accounts;

/// <summary>What may be shown of an API key: never the key, only its display prefix.</summary>
public sealed record ApiKeyInfo(string KeyId, string Prefix, string Name, string Tier, bool Revoked);
