using Microsoft.AspNetCore.DataProtection;
using Reelgate.Core.Callbacks;

namespace Reelgate.Server.Callbacks;

/// <summary>
/// The callback outbox with the accounts' signing secrets encrypted at rest: the database holds
/// <c>dp1:</c> + the secret protected by the data-protection key ring (the data directory's
/// <c>dataprotection-keys</c>, or the database's key table on PostgreSQL), so a copied database
/// file or backup alone does not give away the secrets callbacks are signed with. A secret
/// stored before this (plain <c>whsec_...</c>) is still read as it is, and protected the next
/// time it is rotated. Losing the key ring loses the secrets: rotate them (admin
/// <c>POST /api/admin/accounts/{id}/webhook-secret</c>) and tell the receivers.
/// </summary>
public sealed class ProtectedSecretsOutbox(ICallbackOutbox inner, IDataProtectionProvider protection) : ICallbackOutbox
{
    private const string Prefix = "dp1:";

    private readonly IDataProtector _protector = protection.CreateProtector("Reelgate.Callbacks.WebhookSecret.v1");

    public Task<IReadOnlyList<CallbackDelivery>> ClaimDueAsync(long now, TimeSpan lease, int limit, CancellationToken ct) =>
        inner.ClaimDueAsync(now, lease, limit, ct);

    public Task RecordAttemptAsync(long deliveryId, CallbackAttempt attempt, long? retryAt, CancellationToken ct) =>
        inner.RecordAttemptAsync(deliveryId, attempt, retryAt, ct);

    public async Task<string?> GetOrCreateSecretAsync(string accountId, string candidate, CancellationToken ct) =>
        await inner.GetOrCreateSecretAsync(accountId, Protect(candidate), ct) is { } stored ? Unprotect(stored) : null;

    public Task<bool> RotateSecretAsync(string accountId, string secret, CancellationToken ct) =>
        inner.RotateSecretAsync(accountId, Protect(secret), ct);

    public Task<IReadOnlyList<CallbackDeliveryView>> ListByTaskAsync(string taskId, CancellationToken ct) =>
        inner.ListByTaskAsync(taskId, ct);

    public Task<long?> NextDueAsync(CancellationToken ct) => inner.NextDueAsync(ct);

    private string Protect(string secret) => Prefix + _protector.Protect(secret);

    private string Unprotect(string stored) =>
        stored.StartsWith(Prefix, StringComparison.Ordinal) ? _protector.Unprotect(stored[Prefix.Length..]) : stored;
}
