using NpgsqlTypes;
using Reelgate.Core.Callbacks;
using static Reelgate.Data.Postgres.PostgresAccountStore;

namespace Reelgate.Data.Postgres;

/// <summary>
/// The callback outbox on PostgreSQL. Senders on any node claim due deliveries with
/// <c>FOR UPDATE SKIP LOCKED</c> and push their due time forward by the lease, so two senders
/// never send the same try and a crashed sender's delivery is tried again after the lease.
/// </summary>
public sealed class PostgresCallbackOutbox(PostgresDatabase db) : ICallbackOutbox
{
    public Task<IReadOnlyList<CallbackDelivery>> ClaimDueAsync(long now, TimeSpan lease, int limit, CancellationToken ct) =>
        db.WriteAsync<IReadOnlyList<CallbackDelivery>>(async (conn, tx) =>
        {
            await using var cmd = Cmd(conn, tx,
                "UPDATE callback_deliveries SET next_attempt_at = $1, updated_at = $2 WHERE id IN " +
                "(SELECT id FROM callback_deliveries WHERE state = 'pending' AND next_attempt_at <= $2 ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) " +
                "RETURNING id, task_id, account_id, url, attempts",
                Big(now + (long)lease.TotalMilliseconds), Big(now), new() { Value = limit, NpgsqlDbType = NpgsqlDbType.Integer });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            var list = new List<CallbackDelivery>();
            while (await r.ReadAsync(ct))
            {
                list.Add(new CallbackDelivery(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4)));
            }

            return list;
        }, ct);

    public Task RecordAttemptAsync(long deliveryId, CallbackAttempt attempt, long? retryAt, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            await Exec(conn, tx,
                "INSERT INTO callback_attempts (delivery_id, attempted_at, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5)",
                ct, Big(deliveryId), Big(attempt.AttemptedAt), new() { Value = (object?)attempt.StatusCode ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer }, Text(attempt.Error), Big(attempt.DurationMs));
            var state = CallbackStates.After(attempt, retryAt);
            await Exec(conn, tx,
                "UPDATE callback_deliveries SET attempts = attempts + 1, state = $1, next_attempt_at = $2, updated_at = $3 WHERE id = $4",
                ct, Text(state), Big(retryAt ?? attempt.AttemptedAt), Big(attempt.AttemptedAt), Big(deliveryId));
            return 0;
        }, ct);

    public Task<string?> GetOrCreateSecretAsync(string accountId, string candidate, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            await using var cmd = Cmd(conn, tx,
                "UPDATE accounts SET webhook_secret = COALESCE(webhook_secret, $2) WHERE id = $1 RETURNING webhook_secret", Text(accountId), Text(candidate));
            return await cmd.ExecuteScalarAsync(ct) as string;
        }, ct);

    public Task<bool> RotateSecretAsync(string accountId, string secret, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
            await Exec(conn, tx, "UPDATE accounts SET webhook_secret = $2 WHERE id = $1", ct, Text(accountId), Text(secret)) == 1, ct);

    public async Task<IReadOnlyList<CallbackDeliveryView>> ListByTaskAsync(string taskId, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        var deliveries = new List<(long Id, string Url, string State, int Attempts, long Next)>();
        await using (var cmd = Cmd(conn, null, "SELECT id, url, state, attempts, next_attempt_at FROM callback_deliveries WHERE task_id = $1", Text(taskId)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                deliveries.Add((r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetInt64(4)));
            }
        }

        var views = new List<CallbackDeliveryView>();
        foreach (var d in deliveries)
        {
            var history = new List<CallbackAttempt>();
            await using var cmd = Cmd(conn, null,
                "SELECT attempted_at, status_code, error, duration_ms FROM callback_attempts WHERE delivery_id = $1 ORDER BY id", Big(d.Id));
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                history.Add(new CallbackAttempt(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt32(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt64(3)));
            }

            views.Add(new CallbackDeliveryView(d.Id, taskId, d.Url, d.State, d.Attempts, d.Next, history));
        }

        return views;
    }

    public async Task<long?> NextDueAsync(CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null, "SELECT MIN(next_attempt_at) FROM callback_deliveries WHERE state = 'pending'");
        return await cmd.ExecuteScalarAsync(ct) is long v ? v : null;
    }
}
