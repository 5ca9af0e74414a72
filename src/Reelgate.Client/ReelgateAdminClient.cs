using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reelgate.Client;

/// <summary>
/// Reelgate's admin API (<c>/api/admin</c>, authorized by the admin key): accounts, credits, keys,
/// the ledger audit. Reelgate-specific; other platforms of the family have their own consoles.
/// Admin writes are never retried after a 5xx or a lost connection (they carry no idempotency
/// key), so a credit adjustment cannot be applied twice by the client.
/// </summary>
public sealed class ReelgateAdminClient : IDisposable
{
    private readonly ReelgateClient _api;

    /// <summary>Creates an admin client; <see cref="ReelgateClientOptions.ApiKey"/> must hold the admin key.</summary>
    /// <param name="options">Base URL, admin key and retry settings.</param>
    public ReelgateAdminClient(ReelgateClientOptions options)
    {
        _api = ReelgateClient.Create(options);
    }

    /// <summary>Creates an account with starting credits; returns its id.</summary>
    /// <param name="name">A display name.</param>
    /// <param name="credits">Starting credits, 0 to 10^15 on Reelgate (else a 422 <see cref="ReelgateApiException"/>).</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<string> CreateAccountAsync(string name, long credits, CancellationToken ct = default)
    {
        var data = await _api.SendAsync(HttpMethod.Post, "/api/admin/accounts", new JsonObject { ["name"] = name, ["credits"] = credits }, null, ct);
        return data.GetProperty("accountId").GetString()!;
    }

    /// <summary>An account with its balance and keys (prefixes only), as JSON.</summary>
    /// <param name="accountId">The account id.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<JsonObject> GetAccountAsync(string accountId, CancellationToken ct = default) =>
        ToObject(await _api.SendAsync(HttpMethod.Get, "/api/admin/accounts/" + Uri.EscapeDataString(accountId), null, null, ct));

    /// <summary>Tops up (positive) or deducts (negative, never below zero); returns the new balance.</summary>
    /// <param name="accountId">The account id.</param>
    /// <param name="amount">
    /// Credits to add (negative to deduct), at most 10^15 either way on Reelgate; a top-up that
    /// would take the balance past 10^15 is refused (422 <see cref="ReelgateApiException"/>).
    /// </param>
    /// <param name="reason">Written to the ledger.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<long> AdjustCreditsAsync(string accountId, long amount, string? reason = null, CancellationToken ct = default)
    {
        var body = new JsonObject { ["amount"] = amount };
        if (reason is not null)
        {
            body["reason"] = reason;
        }

        var data = await _api.SendAsync(HttpMethod.Post, $"/api/admin/accounts/{Uri.EscapeDataString(accountId)}/credits", body, null, ct);
        return data.GetProperty("credits").GetInt64();
    }

    /// <summary>Creates an API key; the key itself is returned once and never again.</summary>
    /// <param name="accountId">The account id.</param>
    /// <param name="name">A name for the key.</param>
    /// <param name="tier">The tier (<c>free</c>, <c>pro</c>, <c>unlimited</c>, or one from configuration).</param>
    /// <param name="limits">The key's credit limit, address allowlist and expiry; null for none.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<(string KeyId, string ApiKey)> CreateKeyAsync(string accountId, string? name = null, string? tier = null, KeyLimits? limits = null, CancellationToken ct = default)
    {
        var body = limits is null ? new JsonObject() : LimitsBody(limits);
        if (name is not null)
        {
            body["name"] = name;
        }

        if (tier is not null)
        {
            body["tier"] = tier;
        }

        var data = await _api.SendAsync(HttpMethod.Post, $"/api/admin/accounts/{Uri.EscapeDataString(accountId)}/keys", body, null, ct);
        return (data.GetProperty("keyId").GetString()!, data.GetProperty("apiKey").GetString()!);
    }

    /// <summary>Replaces a key's limits (<c>PATCH /api/admin/keys/{keyId}</c> with all four fields: a null clears that limit); returns the key as stored.</summary>
    /// <param name="keyId">The key id (not the key).</param>
    /// <param name="limits">The limits the key has from now on.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<ApiKeySummary> SetKeyLimitsAsync(string keyId, KeyLimits limits, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var data = await _api.SendAsync(HttpMethod.Patch, $"/api/admin/keys/{Uri.EscapeDataString(keyId)}", LimitsBody(limits), null, ct);
        return data.Deserialize(ClientJsonContext.Default.ApiKeySummary) ?? throw new ReelgateApiException(200, "PATCH keys returned no data");
    }

    private static JsonObject LimitsBody(KeyLimits limits) => new()
    {
        ["creditLimit"] = limits.CreditLimit,
        ["creditPeriod"] = limits.CreditPeriod,
        ["allowedIps"] = limits.AllowedIps is null ? null : new JsonArray([.. limits.AllowedIps.Select(ip => (JsonNode?)ip)]),
        ["expiresAt"] = limits.ExpiresAt,
    };

    /// <summary>Disables an account: its keys are refused from then on.</summary>
    /// <param name="accountId">The account id.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task DisableAccountAsync(string accountId, CancellationToken ct = default) =>
        _api.SendAsync(HttpMethod.Post, $"/api/admin/accounts/{Uri.EscapeDataString(accountId)}/disable", new JsonObject(), null, ct);

    /// <summary>Revokes an API key.</summary>
    /// <param name="keyId">The key id (not the key).</param>
    /// <param name="ct">Cancels the call.</param>
    public Task RevokeKeyAsync(string keyId, CancellationToken ct = default) =>
        _api.SendAsync(HttpMethod.Delete, "/api/admin/keys/" + Uri.EscapeDataString(keyId), null, null, ct);

    /// <summary>Checks balance == sum(ledger) for every account; the report as JSON (<c>ok</c>, <c>accounts</c>, <c>broken</c>).</summary>
    /// <param name="ct">Cancels the call.</param>
    public async Task<JsonObject> AuditAsync(CancellationToken ct = default) =>
        ToObject(await _api.SendAsync(HttpMethod.Get, "/api/admin/audit", null, null, ct));

    private static JsonObject ToObject(JsonElement data) => JsonNode.Parse(data.GetRawText()) as JsonObject ?? new JsonObject();

    /// <inheritdoc />
    public void Dispose() => _api.Dispose();
}
