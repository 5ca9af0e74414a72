using Microsoft.Data.Sqlite;
using Reelgate.Core.Accounts;

namespace Reelgate.Data.Sqlite;

/// <summary>Accounts, keys and the ledger on SQLite. Every balance change goes through <see cref="TaskRows.PostAsync"/>.</summary>
public sealed class SqliteAccountStore(SqliteDatabase db) : IAccountStore
{
    public Task CreateAccountAsync(string accountId, string name, long credits, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using (var ins = TaskRows.Command(conn, tx,
                "INSERT INTO accounts (id, name, credits, disabled, created_at, updated_at) VALUES ($id, $name, 0, 0, $now, $now)",
                ("$id", accountId), ("$name", name), ("$now", now)))
            {
                await ins.ExecuteNonQueryAsync(ct);
            }

            if (credits != 0)
            {
                await TaskRows.PostAsync(conn, tx, accountId, credits, "grant", "initial credits", null, now, ct);
            }

            return 0;
        }, ct);

    public async Task<Account?> GetAccountAsync(string accountId, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        string name;
        long credits, created;
        bool disabled;
        using (var cmd = TaskRows.Command(conn, null, "SELECT name, credits, disabled, created_at FROM accounts WHERE id = $id", ("$id", accountId)))
        using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct))
            {
                return null;
            }

            name = r.GetString(0);
            credits = r.GetInt64(1);
            disabled = r.GetInt64(2) != 0;
            created = r.GetInt64(3);
        }

        var keys = new List<ApiKeyInfo>();
        using (var cmd = TaskRows.Command(conn, null,
            "SELECT " + KeyColumns.List + " FROM api_keys k WHERE k.account_id = $id ORDER BY k.created_at, k.id", ("$id", accountId)))
        using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                keys.Add(KeyColumns.Read(r).Key);
            }
        }

        return new Account(accountId, name, credits, disabled, created, keys);
    }

    public async Task<IReadOnlyList<LedgerEntry>> LedgerAsync(string accountId, long? beforeId, int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        using var cmd = TaskRows.Command(conn, null,
            "SELECT id, amount, kind, reason, task_id, created_at FROM ledger WHERE account_id = $account AND ($before IS NULL OR id < $before) ORDER BY id DESC LIMIT $limit",
            ("$account", accountId), ("$before", beforeId), ("$limit", limit));
        using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<LedgerEntry>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new LedgerEntry(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.GetInt64(5)));
        }

        return list;
    }

    public async Task<long> SpentSinceAsync(string accountId, long since, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        using var cmd = TaskRows.Command(conn, null,
            "SELECT COALESCE(-SUM(amount), 0) FROM ledger WHERE account_id = $account AND kind IN ('charge', 'refund') AND created_at >= $since",
            ("$account", accountId), ("$since", since));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<(IReadOnlyList<UsageEntry> Entries, IReadOnlyList<UsageTask> Tasks)> UsageAsync(string accountId, long from, long to, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        var entries = new List<UsageEntry>();
        using (var cmd = TaskRows.Command(conn, null,
            "SELECT l.kind, l.amount, l.created_at, t.model, t.key_id FROM ledger l LEFT JOIN tasks t ON t.id = l.task_id " +
            "WHERE l.account_id = $account AND l.kind IN ('charge', 'refund') AND l.created_at >= $from AND l.created_at < $to ORDER BY l.id",
            ("$account", accountId), ("$from", from), ("$to", to)))
        using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                entries.Add(new UsageEntry(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4)));
            }
        }

        var tasks = new List<UsageTask>();
        using (var cmd = TaskRows.Command(conn, null,
            "SELECT state, create_time, model, key_id FROM tasks WHERE account_id = $account AND create_time >= $from AND create_time < $to",
            ("$account", accountId), ("$from", from), ("$to", to)))
        using (var r = await cmd.ExecuteReaderAsync(ct))
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
        await using var conn = await db.OpenReadAsync(ct);
        using var cmd = TaskRows.Command(conn, null,
            "SELECT id, name, credits, disabled, created_at FROM accounts WHERE ($q IS NULL OR id = $q OR name LIKE '%' || $like || '%' ESCAPE '\\') ORDER BY created_at DESC, id DESC LIMIT $limit",
            ("$q", string.IsNullOrWhiteSpace(search) ? null : search.Trim()),
            ("$like", string.IsNullOrWhiteSpace(search) ? null : search.Trim().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal)), ("$limit", limit));
        using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<AccountSummary>();
        while (await r.ReadAsync(ct))
        {
            list.Add(new AccountSummary(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3) != 0, r.GetInt64(4)));
        }

        return list;
    }

    public async Task<long?> GetBalanceAsync(string accountId, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        using var cmd = TaskRows.Command(conn, null, "SELECT credits FROM accounts WHERE id = $id", ("$id", accountId));
        return await cmd.ExecuteScalarAsync(ct) is long v ? v : null;
    }

    public Task<CreditAdjustment> AdjustCreditsAsync(string accountId, long amount, string reason, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            // Under the single writer, so no charge, refund or top-up can come between this read and the post.
            long before, reserved;
            using (var find = TaskRows.Command(conn, tx,
                "SELECT credits, (SELECT COALESCE(SUM(cost), 0) FROM tasks WHERE account_id = $id AND state = 'waiting') FROM accounts WHERE id = $id",
                ("$id", accountId)))
            using (var r = await find.ExecuteReaderAsync(ct))
            {
                if (!await r.ReadAsync(ct))
                {
                    return new CreditAdjustment(CreditAdjustStatus.AccountNotFound, 0);
                }

                (before, reserved) = (r.GetInt64(0), r.GetInt64(1));
            }

            if (amount == 0)
            {
                return new CreditAdjustment(CreditAdjustStatus.Applied, before);
            }

            if (!Credits.Fits(before, reserved, amount))
            {
                return new CreditAdjustment(CreditAdjustStatus.BalanceLimit, before);
            }

            try
            {
                return await TaskRows.PostAsync(conn, tx, accountId, amount, "adjust", reason, null, now, ct)
                    ? new CreditAdjustment(CreditAdjustStatus.Applied, checked(before + amount))
                    : new CreditAdjustment(CreditAdjustStatus.InsufficientCredits, before);
            }
            catch (SqliteException e) when (TaskRows.IsCreditBound(e))
            {
                // The database's own bound (migration 0008); the check above should have caught it.
                // The trigger aborted the UPDATE statement, the first write, so nothing is left to undo.
                return new CreditAdjustment(CreditAdjustStatus.BalanceLimit, before);
            }
        }, ct);

    public Task<bool> CreateKeyAsync(string keyId, string accountId, string name, string tier, string prefix, byte[] hash, KeyLimits limits, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var cmd = TaskRows.Command(conn, tx,
                "INSERT INTO api_keys (id, account_id, name, tier, prefix, lookup, hash, revoked, created_at, credit_limit, credit_period, allowed_ips, expires_at) " +
                "SELECT $id, $account, $name, $tier, $prefix, $lookup, $hash, 0, $now, $limit, $period, $ips, $expires WHERE EXISTS (SELECT 1 FROM accounts WHERE id = $account)",
                ("$id", keyId), ("$account", accountId), ("$name", name), ("$tier", tier), ("$prefix", prefix),
                ("$lookup", prefix), ("$hash", hash), ("$now", now), ("$limit", limits.CreditLimit), ("$period", KeyColumns.Period(limits)),
                ("$ips", limits.AllowedIpsColumn), ("$expires", limits.ExpiresAt));
            return await cmd.ExecuteNonQueryAsync(ct) == 1;
        }, ct);

    public async Task<(string AccountId, ApiKeyInfo Key)?> GetKeyAsync(string keyId, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        using var cmd = TaskRows.Command(conn, null, "SELECT " + KeyColumns.List + " FROM api_keys k WHERE k.id = $id", ("$id", keyId));
        using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? KeyColumns.Read(r) : null;
    }

    public Task<bool> SetKeyLimitsAsync(string keyId, KeyLimits limits, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var cmd = TaskRows.Command(conn, tx,
                "UPDATE api_keys SET credit_limit = $limit, credit_period = $period, allowed_ips = $ips, expires_at = $expires WHERE id = $id",
                ("$id", keyId), ("$limit", limits.CreditLimit), ("$period", KeyColumns.Period(limits)), ("$ips", limits.AllowedIpsColumn), ("$expires", limits.ExpiresAt));
            return await cmd.ExecuteNonQueryAsync(ct) == 1;
        }, ct);

    public async Task<long> KeySpentSinceAsync(string keyId, long since, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        return await SqliteCreateSteps.KeySpentAsync(conn, null, keyId, since, ct);
    }

    public async Task<IReadOnlyList<StoredApiKey>> FindKeysByLookupAsync(string lookup, CancellationToken ct)
    {
        await using var conn = await db.OpenReadAsync(ct);
        using var cmd = TaskRows.Command(conn, null,
            "SELECT k.id, k.account_id, k.tier, k.hash, k.revoked, a.disabled, " + KeyColumns.Limits + " FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.lookup = $lookup",
            ("$lookup", lookup));
        using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<StoredApiKey>(1);
        while (await r.ReadAsync(ct))
        {
            list.Add(new StoredApiKey(r.GetString(0), r.GetString(1), r.GetString(2), (byte[])r.GetValue(3), r.GetInt64(4) != 0, r.GetInt64(5) != 0)
            {
                Limits = KeyColumns.LimitsAt(r, 6),
            });
        }

        return list;
    }

    public Task<string?> RevokeKeyAsync(string keyId, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var cmd = TaskRows.Command(conn, tx,
                "UPDATE api_keys SET revoked = 1, revoked_at = COALESCE(revoked_at, $now) WHERE id = $id RETURNING account_id",
                ("$id", keyId), ("$now", now));
            return await cmd.ExecuteScalarAsync(ct) as string;
        }, ct);

    public Task<bool> DisableAccountAsync(string accountId, long now, CancellationToken ct) =>
        db.WriteAsync(async (conn, tx) =>
        {
            using var cmd = TaskRows.Command(conn, tx,
                "UPDATE accounts SET disabled = 1, updated_at = $now WHERE id = $id", ("$id", accountId), ("$now", now));
            return await cmd.ExecuteNonQueryAsync(ct) == 1;
        }, ct);

    public async Task<IReadOnlyList<LedgerAuditEntry>> AuditAsync(CancellationToken ct)
    {
        // One read transaction so the balance and the ledger sum come from the same snapshot.
        // The sums are exact and never overflow (LedgerSums): the audit must answer even for a
        // ledger whose total does not fit a long. A balance that is not an integer (the REAL that
        // an overflowing credits + amount left before schema version 8) is read as a decimal.
        await using var conn = await db.OpenReadAsync(ct);
        using var tx = conn.BeginTransaction(deferred: true);
        using var cmd = TaskRows.Command(conn, tx,
            "SELECT a.id, a.credits, COALESCE(s.hi, 0), COALESCE(s.lo, 0) FROM accounts a LEFT JOIN " + LedgerSums.PerAccount + " s ON s.account_id = a.id ORDER BY a.id");
        using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<LedgerAuditEntry>();
        while (await r.ReadAsync(ct))
        {
            var balance = r.GetValue(1) is long whole ? whole : (decimal)r.GetDouble(1);
            list.Add(new LedgerAuditEntry(r.GetString(0), balance, LedgerSums.Combine(r.GetInt64(2), r.GetInt64(3))));
        }

        return list;
    }
}
