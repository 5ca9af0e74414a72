using Reelgate.Core.Callbacks;

namespace Reelgate.Data.Sqlite;

/// <summary>The callback outbox on SQLite.</summary>
public sealed class SqliteCallbackOutbox(SqliteDatabase db) : ICallbackOutbox
{
    public Task<IReadOnlyList<CallbackDelivery>> ClaimDueAsync(long now, TimeSpan lease, int limit, CancellationToken ct) =>
        db.WriteAsync<IReadOnlyList<CallbackDelivery>>(async (conn, tx) =>
        {
            using var cmd = TaskRows.Command(conn, tx,
                "UPDATE callback_deliveries SET next_attempt_at = $lease, updated_at = $now WHERE id IN " +
                "(SELECT id FROM callback_deliveries WHERE state = 'pending' AND next_attempt_at <= $now ORDER BY next_attempt_at LIMIT $limit) " +
                "RETURNING id, task_id, account_id, url, attempts",
                ("$lease", now + (long)lease.TotalMilliseconds), ("$now", now), ("$limit", limit));
            using var r = await cmd.ExecuteReaderAsync(ct);
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
            using (var insert = TaskRows.Command(conn, tx,
                "INSERT INTO callback_attempts (delivery_id, attempted_at, status_code, error, duration_ms) VALUES ($id, $at, $status, $error, $ms)",
                ("$id", deliveryId), ("$at", attempt.AttemptedAt), ("$status", attempt.StatusCode), ("$error", attempt.Error), ("$ms", attempt.DurationMs)))
            {
                await insert.ExecuteNonQueryAsync(ct);
            }

            var state = CallbackStates.After(attempt, retryAt);
            using var update = TaskRows.Command(conn, tx,
                "UPDATE callback_deliveries SET attempts = attempts + 1, state = $state, next_attempt_at = $next, updated_at = $at WHERE id = $id",
                ("$state", state), ("$next", retryAt ?? attempt.AttemptedAt), ("$at", attempt.AttemptedAt), ("$id", deliveryId));
            await update.ExecuteNonQueryAsync(ct);
            return 0;
        }, ct);

    public Task<string?> GetOrCreateSecretAsync(string accountId, string candidate, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using (var set = TaskRows.Command(conn, tx, "UPDATE accounts SET webhook_secret = $secret WHERE id = $id AND webhook_secret IS NULL", ("$secret", candidate), ("$id", accountId)))
            {
                await set.ExecuteNonQueryAsync(ct);
            }

            using var get = TaskRows.Command(conn, tx, "SELECT webhook_secret FROM accounts WHERE id = $id", ("$id", accountId));
            return await get.ExecuteScalarAsync(ct) as string;
        }, ct);

    public Task<bool> RotateSecretAsync(string accountId, string secret, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var set = TaskRows.Command(conn, tx, "UPDATE accounts SET webhook_secret = $secret WHERE id = $id", ("$secret", secret), ("$id", accountId));
            return await set.ExecuteNonQueryAsync(ct) == 1;
        }, ct);

    public async Task<IReadOnlyList<CallbackDeliveryView>> ListByTaskAsync(string taskId, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        var deliveries = new List<(long Id, string Url, string State, int Attempts, long Next)>();
        using (var cmd = TaskRows.Command(conn, null, "SELECT id, url, state, attempts, next_attempt_at FROM callback_deliveries WHERE task_id = $id", ("$id", taskId)))
        using (var r = await cmd.ExecuteReaderAsync(ct))
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
            using var cmd = TaskRows.Command(conn, null,
                "SELECT attempted_at, status_code, error, duration_ms FROM callback_attempts WHERE delivery_id = $id ORDER BY id", ("$id", d.Id));
            using var r = await cmd.ExecuteReaderAsync(ct);
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
        await using var conn = await db.OpenReadAsync(ct);
        using var cmd = TaskRows.Command(conn, null, "SELECT MIN(next_attempt_at) FROM callback_deliveries WHERE state = 'pending'");
        return await cmd.ExecuteScalarAsync(ct) is long v ? v : null;
    }
}
