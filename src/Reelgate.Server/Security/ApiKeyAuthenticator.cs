using System.Collections.Concurrent;
using System.Security.Cryptography;
using Reelgate.Core.Accounts;
using Reelgate.Server.Options;
using Microsoft.Extensions.Options;

namespace Reelgate.Server.Security;

/// <summary>
/// Verifies <c>Authorization: Bearer sk-...</c>. The database is asked by display prefix and
/// the stored hash is compared in constant time. Verified keys are cached by their SHA-256
/// for <see cref="ReelgateOptions.KeyCacheTtl"/> so recordInfo stays one indexed read; revoking
/// a key or disabling an account on this node evicts at once.
/// </summary>
public sealed partial class ApiKeyAuthenticator(IAccountStore accounts, TimeProvider time, IOptions<ReelgateOptions> options, ILogger<ApiKeyAuthenticator> log)
{
    /// <summary>The 401 message of a key refused for its expiry (<c>expiresAt</c>).</summary>
    public const string ExpiredMessage = "authentication failed: API key expired";

    private readonly ClientAddress _clients = ClientAddress.FromOptions(options.Value.TrustedProxies);

    private readonly ConcurrentDictionary<string, CacheEntry> _cache = new(StringComparer.Ordinal);
    private readonly TimeSpan _ttl = options.Value.KeyCacheTtl;
    private long _evictions;

    /// <summary>
    /// Verifies the request's key, then its expiry and its address allowlist (the client address
    /// of <see cref="ClientAddress"/>). A refusal for either is logged with the key's prefix only.
    /// </summary>
    public async Task<KeyCheck> CheckAsync(HttpContext http)
    {
        var key = http.Request.Headers.Authorization.Count == 1
            ? await AuthenticateAsync(http.Request.Headers.Authorization.ToString(), http.RequestAborted)
            : null;
        if (key is null)
        {
            return new KeyCheck(null, Api.ApiResults.AuthenticationFailed);
        }

        if (key.Limits.ExpiredAt(time.GetUtcNow().ToUnixTimeMilliseconds()))
        {
            LogRefused(log, key.Prefix, "expired");
            return new KeyCheck(null, ExpiredMessage);
        }

        if (key.Limits.AllowedIps is not null)
        {
            var address = _clients.Of(http);
            if (!key.Limits.Allows(address))
            {
                var shown = address?.ToString() ?? "an unknown address";
                LogRefused(log, key.Prefix, "not allowed from " + shown);
                return new KeyCheck(null, $"authentication failed: API key not allowed from {shown}");
            }
        }

        return new KeyCheck(key, "");
    }

    /// <summary>The client address the allowlists see for this request (<see cref="ClientAddress"/>).</summary>
    public System.Net.IPAddress? ClientOf(HttpContext http) => _clients.Of(http);

    public async Task<AuthenticatedKey?> AuthenticateAsync(string? authorization, CancellationToken ct)
    {
        var key = BearerToken(authorization);
        if (key is null || !ApiKeyFormat.IsWellFormed(key))
        {
            return null;
        }

        var hash = ApiKeyFormat.Hash(key);
        var cacheKey = Convert.ToHexString(hash);
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(cacheKey, out var hit) && hit.Expires > now)
        {
            return hit.Key;
        }

        var evictions = Volatile.Read(ref _evictions);
        AuthenticatedKey? found = null;
        foreach (var candidate in await accounts.FindKeysByLookupAsync(ApiKeyFormat.Prefix(key), ct))
        {
            if (CryptographicOperations.FixedTimeEquals(candidate.Hash, hash) && !candidate.Revoked && !candidate.AccountDisabled)
            {
                found = new AuthenticatedKey(candidate.KeyId, candidate.AccountId, candidate.Tier) { Limits = candidate.Limits, Prefix = ApiKeyFormat.Prefix(key) };
            }
        }

        if (found is not null)
        {
            var entry = new CacheEntry(found, now + _ttl);
            _cache[cacheKey] = entry;

            // A revoke or disable that evicted while this lookup read the old row must not leave
            // that row cached: Evict counts first and removes second, so either this sees its
            // count and takes the entry back, or its removal comes after this entry was added.
            if (Volatile.Read(ref _evictions) != evictions)
            {
                _cache.TryRemove(new KeyValuePair<string, CacheEntry>(cacheKey, entry));
            }
        }

        return found;
    }

    /// <summary>Drops cached keys of an account (after a revoke or a disable).</summary>
    public void Evict(string accountId)
    {
        Interlocked.Increment(ref _evictions);
        foreach (var (k, v) in _cache)
        {
            if (v.Key.AccountId == accountId)
            {
                _cache.TryRemove(k, out _);
            }
        }
    }

    /// <summary>The token of a <c>Bearer</c> Authorization header, or null.</summary>
    public static string? BearerToken(string? authorization)
    {
        if (authorization is null || authorization.Length < 8 || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = authorization[7..].Trim();
        return token.Length == 0 ? null : token;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "API key {Prefix} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string prefix, string reason);

    private sealed record CacheEntry(AuthenticatedKey Key, DateTimeOffset Expires);
}
