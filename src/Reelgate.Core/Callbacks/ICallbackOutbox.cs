namespace Reelgate.Core.Callbacks;

/// <summary>
/// The durable callback outbox. Deliveries are written in the transaction that ends a task;
/// senders claim due ones with a short lease (so a crashed sender's delivery is retried, and two
/// senders never send the same try), and record every try.
/// </summary>
public interface ICallbackOutbox
{
    Task<IReadOnlyList<CallbackDelivery>> ClaimDueAsync(long now, TimeSpan lease, int limit, CancellationToken ct);

    /// <summary>Records a try; <paramref name="retryAt"/> null after a failure means: give up.</summary>
    Task RecordAttemptAsync(long deliveryId, CallbackAttempt attempt, long? retryAt, CancellationToken ct);

    /// <summary>The account's signing secret, creating <paramref name="candidate"/> as it when there is none.</summary>
    Task<string?> GetOrCreateSecretAsync(string accountId, string candidate, CancellationToken ct);

    /// <summary>Sets a new signing secret; false when the account does not exist.</summary>
    Task<bool> RotateSecretAsync(string accountId, string secret, CancellationToken ct);

    Task<IReadOnlyList<CallbackDeliveryView>> ListByTaskAsync(string taskId, CancellationToken ct);

    /// <summary>When the next pending delivery is due, so the sender can sleep until then.</summary>
    Task<long?> NextDueAsync(CancellationToken ct);
}
