-- Version 12: per-key limits (issue 23). A key may be held to a credit limit per UTC day, UTC month
-- or its whole life (what its tasks created in the period cost, less refunds: a failed task's
-- refund gives its room back), to a list of client addresses and CIDR ranges (space-separated,
-- canonical), and to an expiry time (Unix ms). NULL is no limit. (key_id, create_time) serves the
-- sum of a key's spend in its period inside the create transaction.
ALTER TABLE api_keys ADD COLUMN credit_limit INTEGER CHECK (credit_limit IS NULL OR credit_limit >= 0);
ALTER TABLE api_keys ADD COLUMN credit_period TEXT CHECK (credit_period IS NULL OR credit_period IN ('day', 'month', 'total'));
ALTER TABLE api_keys ADD COLUMN allowed_ips TEXT;
ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
CREATE INDEX IF NOT EXISTS ix_tasks_key_time ON tasks (key_id, create_time);
