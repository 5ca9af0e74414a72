-- Reelgate PostgreSQL schema, version 6: a balance is at most 10^15 credits (Credits.MaxBalance),
-- so no accepted amount can take it near bigint's limit (an overflow here raises, and used to
-- answer 500). Balances above the bound (only ever made by tests) are first brought down to it
-- by an appended ledger row, which moves the balance through ledger_post as every change does,
-- so balance == sum(ledger) still holds; then the CHECK holds for every row.
INSERT INTO ledger (account_id, amount, kind, reason, task_id, created_at)
SELECT id, 1000000000000000 - credits, 'adjust', 'balance capped at 1000000000000000 credits (schema version 6)', NULL,
       (extract(epoch FROM clock_timestamp()) * 1000)::bigint
FROM accounts WHERE credits > 1000000000000000;

ALTER TABLE accounts ADD CONSTRAINT accounts_credits_at_most_bound CHECK (credits <= 1000000000000000);
