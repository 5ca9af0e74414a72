using Npgsql;
using Reelgate.Core.Catalog;
using Reelgate.Core.Tasks;
using static Reelgate.Data.Postgres.PostgresAccountStore;

namespace Reelgate.Data.Postgres;

/// <summary>
/// The create transaction's SQL on PostgreSQL (the order is <see cref="CreateTransaction"/>'s). The
/// API key's row is locked first, so creates of one key run one at a time (the idempotency lookup
/// and the active-task count see each other's commits), and the account's row before charging, so
/// racing charges of one account queue instead of overdrawing; other keys and accounts run in parallel.
/// </summary>
internal sealed class PgCreateSteps(NpgsqlConnection conn, NpgsqlTransaction tx) : ICreateTaskSteps
{
    public Task LockKeyAsync(NewTask task, CancellationToken ct) =>
        Exec(conn, tx, "SELECT 1 FROM api_keys WHERE id = $1 FOR UPDATE", ct, Text(task.KeyId));

    public async Task<(string TaskId, string? RequestHash)?> FindRequestAsync(string keyId, string requestId, CancellationToken ct)
    {
        await using var find = Cmd(conn, tx, "SELECT id, request_hash FROM tasks WHERE key_id = $1 AND request_id = $2", Text(keyId), Text(requestId));
        await using var r = await find.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)) : null;
    }

    public async Task<long> CountWaitingAsync(string keyId, CancellationToken ct)
    {
        await using var count = Cmd(conn, tx, "SELECT COUNT(*) FROM tasks WHERE key_id = $1 AND state = 'waiting'", Text(keyId));
        return (long)(await count.ExecuteScalarAsync(ct))!;
    }

    public async Task<bool> InsertChargedAsync(NewTask t, CancellationToken ct)
    {
        await using (var balance = Cmd(conn, tx, "SELECT credits FROM accounts WHERE id = $1 FOR UPDATE", Text(t.AccountId)))
        {
            if (await balance.ExecuteScalarAsync(ct) is not long credits || credits < t.Cost)
            {
                return false;
            }
        }

        await Exec(conn, tx,
            "INSERT INTO tasks (id, account_id, key_id, model, state, param, input, cost, seed, callback_url, base_url, request_id, request_hash, create_time, update_time, spec) " +
            "VALUES ($1, $2, $3, $4, 'waiting', $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14)",
            ct, Text(t.TaskId), Text(t.AccountId), Text(t.KeyId), Text(t.Model), Text(t.Param), Text(t.Input), Big(t.Cost), Big(t.Seed),
            Text(t.CallBackUrl), Text(t.BaseUrl), Text(t.RequestId), Text(t.RequestHash), Big(t.Now), Text(t.Spec is null ? null : GenerationSpecJson.Serialize(t.Spec)));
        await PostAsync(conn, tx, t.AccountId, -t.Cost, "charge", "task " + t.TaskId, t.TaskId, t.Now, ct);

        // Delivered at commit, to every node's listener: idle workers claim at once.
        await Exec(conn, tx, "SELECT pg_notify($1, '')", ct, Text(PgTaskRows.QueueChannel));
        return true;
    }
}
