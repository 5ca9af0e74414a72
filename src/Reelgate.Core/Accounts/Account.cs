namespace Reelgate.Core.Accounts;

/// <summary>An account: holds credits; owns API keys and tasks.</summary>
public sealed record Account(string AccountId, string Name, long Credits, bool Disabled, long CreateTime, IReadOnlyList<ApiKeyInfo> Keys);
