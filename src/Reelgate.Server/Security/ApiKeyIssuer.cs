using Reelgate.Core.Accounts;

namespace Reelgate.Server.Security;

/// <summary>Creates API keys (admin API, web app): the key is returned once; only its hash and display prefix are stored.</summary>
public sealed class ApiKeyIssuer(IAccountStore accounts, TimeProvider time)
{
    /// <summary>The new key's id and the key itself, or null when the account does not exist.</summary>
    public async Task<(string KeyId, string ApiKey)?> IssueAsync(string accountId, string name, string tier, KeyLimits limits, CancellationToken ct)
    {
        var apiKey = ApiKeyFormat.Generate();
        var keyId = "key_" + Guid.CreateVersion7().ToString("N");
        var created = await accounts.CreateKeyAsync(keyId, accountId, name, tier, ApiKeyFormat.Prefix(apiKey), ApiKeyFormat.Hash(apiKey), limits, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        return created ? (keyId, apiKey) : null;
    }
}
