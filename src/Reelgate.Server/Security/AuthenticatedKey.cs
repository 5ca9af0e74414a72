namespace Reelgate.Server.Security;

/// <summary>Who is calling: the key, its account and its tier.</summary>
public sealed record AuthenticatedKey(string KeyId, string AccountId, string Tier)
{
    /// <summary>The key's allowlist, expiry and credit limit as read when it was verified (cached for <c>KeyCacheTtl</c>).</summary>
    public Reelgate.Core.Accounts.KeyLimits Limits { get; init; } = Reelgate.Core.Accounts.KeyLimits.None;

    /// <summary>The key's display prefix: the only part of a key that may be logged.</summary>
    public string Prefix { get; init; } = "";
}

/// <summary>The outcome of checking a request's key: the key, or the 401 message saying why not.</summary>
public readonly record struct KeyCheck(AuthenticatedKey? Key, string Refusal);
