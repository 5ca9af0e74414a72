using Npgsql;
using NpgsqlTypes;
using Reelgate.Core.Accounts;

namespace Reelgate.Data.Postgres;

/// <summary>
/// Accounts, keys and the ledger on PostgreSQL. A balance change is an INSERT into the ledger:
/// the database moves the balance, refuses an overdraft and any other way of changing it
/// (triggers and CHECK in migration 0001), so the rule holds even for code that forgets.
/// The account row is locked (<c>FOR UPDATE</c>) before a deduction so racing deductions queue.
/// </summary>
public sealed class PostgresAccountStore(PostgresDatabase db) : IAccountStore
{
    /// <summary>The CHECK of migration 0006: credits at most <see cref="Credits.MaxBalance"/>.</summary>
    internal const string BoundConstraint = "accounts_credits_at_most_bound";

    public Task CreateAccountAsync(string accountId, string name, long credits, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            await Exec(conn, tx, "INSERT INTO accounts (id, name, credits, disabled, created_at, updated_at) VALUES ($1, $2, 0, false, $3, $3)", ct, Text(accountId), Text(name), Big(now));
            if (credits != 0)
            {
                await PostAsync(conn, tx, accountId, credits, "grant", "initial credits", null, now, ct);
            }

            return 0;
        }, ct);

    public async Task<Account?> GetAccountAsync(string accountId, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        string name;
        long credits, created;
        bool disabled;
        await using (var cmd = Cmd(conn, null, "SELECT name, credits, disabled, created_at FROM accounts WHERE id = $1", Text(accountId)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct))
            {
                return null;
            }

            (name, credits, disabled, created) = (r.GetString(0), r.GetInt64(1), r.GetBoolean(2), r.GetInt64(3));
        }

        var keys = new List<ApiKeyInfo>();
        await using (var cmd = Cmd(conn, null, "SELECT " + KeyColumns.List + " FROM api_keys k WHERE k.account_id = $1 ORDER BY k.created_at, k.id", Text(accountId)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                keys.Add(KeyColumns.Read(r).Key);
            }
        }

        return new Account(accountId, name, credits, disabled, created, keys);
    }

    public async Task<long?> GetBalanceAsync(string accountId, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null, "SELECT credits FROM accounts WHERE id = $1", Text(accountId));
        return await cmd.ExecuteScalarAsync(ct) is long v ? v : null;
    }

    public Task<CreditAdjustment> AdjustCreditsAsync(string accountId, long amount, string reason, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            // The account row is locked first: creates (which lock it to charge) and other
            // adjustments wait, so the reserved credits read here stay true until the commit.
            await using var find = Cmd(conn, tx, "SELECT credits FROM accounts WHERE id = $1 FOR UPDATE", Text(accountId));
            if (await find.ExecuteScalarAsync(ct) is not long before)
            {
                return new CreditAdjustment(CreditAdjustStatus.AccountNotFound, 0);
            }

            if (amount == 0)
            {
                return new CreditAdjustment(CreditAdjustStatus.Applied, before);
            }

            if ((Int128)before + amount < 0)
            {
                return new CreditAdjustment(CreditAdjustStatus.InsufficientCredits, before);
            }

            if (amount > 0)
            {
                await using var waiting = Cmd(conn, tx, "SELECT COALESCE(SUM(cost), 0) FROM tasks WHERE account_id = $1 AND state = 'waiting'", Text(accountId));
                if (!Credits.Fits(before, (decimal)(await waiting.ExecuteScalarAsync(ct))!, amount))
                {
                    return new CreditAdjustment(CreditAdjustStatus.BalanceLimit, before);
                }
            }

            // A savepoint, so that should the database still refuse the post (its CHECK on the
            // bound, or bigint overflow, which raise) the transaction stays usable and the caller
            // gets the refusal as an outcome rather than a server error.
            await tx.SaveAsync("adjust", ct);
            try
            {
                await PostAsync(conn, tx, accountId, amount, "adjust", reason, null, now, ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.NumericValueOutOfRange || e.ConstraintName == BoundConstraint)
            {
                await tx.RollbackAsync("adjust", ct);
                return new CreditAdjustment(CreditAdjustStatus.BalanceLimit, before);
            }

            return new CreditAdjustment(CreditAdjustStatus.Applied, checked(before + amount));
        }, ct);

    public Task<bool> CreateKeyAsync(string keyId, string accountId, string name, string tier, string prefix, byte[] hash, KeyLimits limits, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
            await Exec(conn, tx,
                "INSERT INTO api_keys (id, account_id, name, tier, prefix, lookup, hash, revoked, created_at, credit_limit, credit_period, allowed_ips, expires_at) " +
                "SELECT $1, $2, $3, $4, $5, $5, $6, false, $7, $8, $9, $10, $11 WHERE EXISTS (SELECT 1 FROM accounts WHERE id = $2)",
                ct, Text(keyId), Text(accountId), Text(name), Text(tier), Text(prefix), new NpgsqlParameter { Value = hash, NpgsqlDbType = NpgsqlDbType.Bytea }, Big(now),
                Big(limits.CreditLimit), Text(KeyColumns.Period(limits)), Text(limits.AllowedIpsColumn), Big(limits.ExpiresAt)) == 1, ct);

    public async Task<(string AccountId, ApiKeyInfo Key)?> GetKeyAsync(string keyId, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null, "SELECT " + KeyColumns.List + " FROM api_keys k WHERE k.id = $1", Text(keyId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? KeyColumns.Read(r) : null;
    }

    public Task<bool> SetKeyLimitsAsync(string keyId, KeyLimits limits, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
            await Exec(conn, tx, "UPDATE api_keys SET credit_limit = $2, credit_period = $3, allowed_ips = $4, expires_at = $5 WHERE id = $1", ct,
                Text(keyId), Big(limits.CreditLimit), Text(KeyColumns.Period(limits)), Text(limits.AllowedIpsColumn), Big(limits.ExpiresAt)) == 1, ct);

    public async Task<long> KeySpentSinceAsync(string keyId, long since, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null,
            "SELECT COALESCE(SUM(spent), 0)::bigint FROM key_day_spend WHERE key_id = $1 AND day >= $2", Text(keyId), Big(KeyLimits.DayOf(since)));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<IReadOnlyList<StoredApiKey>> FindKeysByLookupAsync(string lookup, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null,
            "SELECT k.id, k.account_id, k.tier, k.hash, k.revoked, a.disabled, " + KeyColumns.Limits + " FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.lookup = $1", Text(lookup));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<StoredApiKey>(1);
        while (await r.ReadAsync(ct))
        {
            list.Add(new StoredApiKey(r.GetString(0), r.GetString(1), r.GetString(2), (byte[])r.GetValue(3), r.GetBoolean(4), r.GetBoolean(5))
            {
                Limits = KeyColumns.LimitsAt(r, 6),
            });
        }

        return list;
    }

    public Task<string?> RevokeKeyAsync(string keyId, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            await using var cmd = Cmd(conn, tx, "UPDATE api_keys SET revoked = true, revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING account_id", Text(keyId), Big(now));
            return await cmd.ExecuteScalarAsync(ct) as string;
        }, ct);

    public Task<bool> DisableAccountAsync(string accountId, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
            await Exec(conn, tx, "UPDATE accounts SET disabled = true, updated_at = $2 WHERE id = $1", ct, Text(accountId), Big(now)) == 1, ct);

    public async Task<IReadOnlyList<LedgerEntry>> LedgerAsync(string accountId, long? beforeId, int limit, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null,
            "SELECT id, amount, kind, reason, task_id, created_at FROM ledger WHERE account_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
            Text(accountId), Big(beforeId), new NpgsqlParameter { Value = limit, NpgsqlDbType = NpgsqlDbType.Integer });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<LedgerEntry>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new LedgerEntry(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetInt64(5)));
        }

        return list;
    }

    public async Task<long> SpentSinceAsync(string accountId, long since, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null,
            "SELECT COALESCE(-SUM(amount), 0)::bigint FROM ledger WHERE account_id = $1 AND kind IN ('charge', 'refund') AND created_at >= $2", Text(accountId), Big(since));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<(IReadOnlyList<UsageEntry> Entries, IReadOnlyList<UsageTask> Tasks)> UsageAsync(string accountId, long from, long to, CancellationToken ct)
    {
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        var entries = new List<UsageEntry>();
        await using (var cmd = Cmd(conn, null,
            "SELECT l.kind, l.amount, l.created_at, t.model, t.key_id FROM ledger l LEFT JOIN tasks t ON t.id = l.task_id " +
            "WHERE l.account_id = $1 AND l.kind IN ('charge', 'refund') AND l.created_at >= $2 AND l.created_at < $3 ORDER BY l.id",
            Text(accountId), Big(from), Big(to)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                entries.Add(new UsageEntry(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4)));
            }
        }

        var tasks = new List<UsageTask>();
        await using (var cmd = Cmd(conn, null,
            "SELECT state, create_time, model, key_id FROM tasks WHERE account_id = $1 AND create_time >= $2 AND create_time < $3",
            Text(accountId), Big(from), Big(to)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                tasks.Add(new UsageTask(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3)));
            }
        }

        return (entries, tasks);
    }

    public async Task<IReadOnlyList<AccountSummary>> ListAccountsAsync(string? search, int limit, CancellationToken ct)
    {
        var q = string.IsNullOrWhiteSpace(search) ? null : search.Trim();
        var like = q?.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null,
            "SELECT id, name, credits, disabled, created_at FROM accounts WHERE ($1::text IS NULL OR id = $1 OR name LIKE '%' || $2 || '%') ORDER BY created_at DESC, id DESC LIMIT $3",
            Text(q), Text(like), new NpgsqlParameter { Value = limit, NpgsqlDbType = NpgsqlDbType.Integer });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<AccountSummary>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new AccountSummary(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetBoolean(3), r.GetInt64(4)));
        }

        return list;
    }

    public async Task<IReadOnlyList<LedgerAuditEntry>> AuditAsync(CancellationToken ct)
    {
        // One statement: one snapshot for the balances and the ledger sums. SUM(bigint) is a
        // numeric, read as a decimal: a sum beyond the bigint range is reported, never a failure.
        await using var conn = await db.Source.OpenConnectionAsync(ct);
        await using var cmd = Cmd(conn, null,
            "SELECT a.id, a.credits, COALESCE((SELECT SUM(amount) FROM ledger l WHERE l.account_id = a.id), 0) FROM accounts a ORDER BY a.id");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<LedgerAuditEntry>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new LedgerAuditEntry(r.GetString(0), r.GetInt64(1), r.GetDecimal(2)));
        }

        return list;
    }

    /// <summary>Appends a ledger row; the database moves the balance (and refuses an overdraft).</summary>
    internal static Task<int> PostAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string accountId, long amount, string kind, string reason, string? taskId, long now, CancellationToken ct) =>
        Exec(conn, tx, "INSERT INTO ledger (account_id, amount, kind, reason, task_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            ct, Text(accountId), Big(amount), Text(kind), Text(reason), Text(taskId), Big(now));

    internal static NpgsqlCommand Cmd(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, params NpgsqlParameter[] args)
    {
        var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.AddRange(args);
        return cmd;
    }

    internal static async Task<int> Exec(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, CancellationToken ct, params NpgsqlParameter[] args)
    {
        await using var cmd = Cmd(conn, tx, sql, args);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    internal static NpgsqlParameter Text(string? v) => new() { Value = (object?)v ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    internal static NpgsqlParameter Big(long? v) => new() { Value = (object?)v ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint };
}
