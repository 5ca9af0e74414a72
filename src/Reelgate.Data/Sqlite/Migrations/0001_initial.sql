-- Reelgate SQLite schema, version 1.
-- Ledger rule: accounts.credits changes only together with an appended ledger row, in one
-- transaction; the ledger cannot be updated or deleted (triggers below), and a task has at
-- most one charge and one refund (unique index), so nothing is charged or refunded twice.

CREATE TABLE accounts (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    credits     INTEGER NOT NULL CHECK (credits >= 0),
    disabled    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    name        TEXT NOT NULL,
    tier        TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    lookup      TEXT NOT NULL,
    hash        BLOB NOT NULL,
    revoked     INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX ix_api_keys_lookup ON api_keys (lookup);
CREATE INDEX ix_api_keys_account ON api_keys (account_id);

CREATE TABLE ledger (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    amount      INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('grant', 'adjust', 'charge', 'refund')),
    reason      TEXT NOT NULL,
    task_id     TEXT,
    created_at  INTEGER NOT NULL
);
CREATE INDEX ix_ledger_account ON ledger (account_id, id);
CREATE UNIQUE INDEX ux_ledger_task_kind ON ledger (task_id, kind) WHERE task_id IS NOT NULL;
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;

CREATE TABLE tasks (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    key_id        TEXT NOT NULL REFERENCES api_keys (id),
    model         TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('waiting', 'success', 'fail')),
    param         TEXT NOT NULL,
    input         TEXT NOT NULL,
    cost          INTEGER NOT NULL CHECK (cost >= 0),
    seed          INTEGER NOT NULL,
    callback_url  TEXT,
    request_id    TEXT,
    request_hash  TEXT,
    result_key    TEXT,
    fail_code     TEXT,
    fail_msg      TEXT,
    create_time   INTEGER NOT NULL,
    start_time    INTEGER,
    complete_time INTEGER,
    update_time   INTEGER NOT NULL,
    progress      INTEGER NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    lease_token   TEXT,
    lease_expires INTEGER,
    worker_id     TEXT
);
CREATE UNIQUE INDEX ux_tasks_idempotency ON tasks (key_id, request_id) WHERE request_id IS NOT NULL;
CREATE INDEX ix_tasks_queue ON tasks (create_time, id) WHERE state = 'waiting';
CREATE INDEX ix_tasks_key_waiting ON tasks (key_id) WHERE state = 'waiting';
CREATE INDEX ix_tasks_account ON tasks (account_id, create_time);
