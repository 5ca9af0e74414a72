-- Version 8: a balance is a whole number of at most 10^15 credits (Credits.MaxBalance).
-- Before it, a top-up past 2^63-1 made SQLite's credits + amount a REAL (integer overflow is
-- silent in arithmetic), after which the account could neither be found as a number nor audited.
--
-- Balances above the bound (only ever made by tests or that overflow) are brought down to it by
-- an appended ledger row, so balance == sum(ledger) still holds for every consistent account.
INSERT INTO ledger (account_id, amount, kind, reason, task_id, created_at)
SELECT id, CAST(1000000000000000 - credits AS INTEGER), 'adjust', 'balance capped at 1000000000000000 credits (schema version 8)', NULL,
       CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
FROM accounts WHERE credits > 1000000000000000;
UPDATE accounts SET credits = 1000000000000000 WHERE credits > 1000000000000000;

-- Triggers, not a CHECK: SQLite adds a CHECK only by rebuilding the table, and accounts is the
-- parent of three foreign keys, which cannot be switched off inside the migration's transaction.
-- The triggers refuse the same rows a CHECK (credits <= 10^15) would, and a non-integer balance.
CREATE TRIGGER accounts_credits_bound_insert BEFORE INSERT ON accounts
WHEN typeof(NEW.credits) <> 'integer' OR NEW.credits > 1000000000000000
BEGIN
    SELECT RAISE(ABORT, 'credits must be a whole number of at most 1000000000000000');
END;
CREATE TRIGGER accounts_credits_bound_update BEFORE UPDATE OF credits ON accounts
WHEN typeof(NEW.credits) <> 'integer' OR NEW.credits > 1000000000000000
BEGIN
    SELECT RAISE(ABORT, 'credits must be a whole number of at most 1000000000000000');
END;
