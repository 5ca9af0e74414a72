namespace Reelgate.Server.Security;

/// <summary>Who is calling: the key, its account and its tier.</summary>
public sealed record AuthenticatedKey(string KeyId, string AccountId, string Tier);
