-- Version 12: per-key limits (issue 23). A key may be held to a credit limit per UTC day, UTC month
-- or its whole life (what its tasks created in the period cost, less refunds: a failed task's
-- refund gives its room back), to a list of client addresses and CIDR ranges (space-separated,
-- canonical), and to an expiry time (Unix ms). NULL is no limit.
ALTER TABLE api_keys ADD COLUMN credit_limit INTEGER CHECK (credit_limit IS NULL OR credit_limit >= 0);
ALTER TABLE api_keys ADD COLUMN credit_period TEXT CHECK (credit_period IS NULL OR credit_period IN ('day', 'month', 'total'));
ALTER TABLE api_keys ADD COLUMN allowed_ips TEXT;
ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;

-- What each key's tasks created on each UTC day (create_time / 86400000) cost, less the refunds
-- of those that failed: kept by the two triggers below on every path that creates or fails a
-- task, so a period's spend is at most 31 rows (a month) to add, not every task of the period.
CREATE TABLE key_day_spend (
    key_id  TEXT NOT NULL,
    day     INTEGER NOT NULL,
    spent   INTEGER NOT NULL,
    PRIMARY KEY (key_id, day)
);
INSERT INTO key_day_spend (key_id, day, spent)
SELECT key_id, create_time / 86400000, SUM(cost) FROM tasks WHERE state <> 'fail' GROUP BY key_id, create_time / 86400000;

CREATE TRIGGER tasks_key_spend_created AFTER INSERT ON tasks WHEN NEW.state <> 'fail'
BEGIN
    INSERT INTO key_day_spend (key_id, day, spent) VALUES (NEW.key_id, NEW.create_time / 86400000, NEW.cost)
    ON CONFLICT (key_id, day) DO UPDATE SET spent = spent + excluded.spent;
END;

CREATE TRIGGER tasks_key_spend_refunded AFTER UPDATE OF state ON tasks WHEN NEW.state = 'fail' AND OLD.state <> 'fail'
BEGIN
    UPDATE key_day_spend SET spent = spent - OLD.cost WHERE key_id = OLD.key_id AND day = OLD.create_time / 86400000;
END;
