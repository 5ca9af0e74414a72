-- Version 3: callbacks. A delivery row is written in the same transaction that ends a task
-- (transactional outbox), so a callback survives crashes and restarts; each try is recorded.
ALTER TABLE accounts ADD COLUMN webhook_secret TEXT;
ALTER TABLE tasks ADD COLUMN base_url TEXT;

CREATE TABLE callback_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id          TEXT NOT NULL UNIQUE REFERENCES tasks (id),
    account_id       TEXT NOT NULL,
    url              TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX ix_callback_due ON callback_deliveries (next_attempt_at) WHERE state = 'pending';

CREATE TABLE callback_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id  INTEGER NOT NULL REFERENCES callback_deliveries (id),
    attempted_at INTEGER NOT NULL,
    status_code  INTEGER,
    error        TEXT,
    duration_ms  INTEGER NOT NULL
);
CREATE INDEX ix_callback_attempts_delivery ON callback_attempts (delivery_id, id);
