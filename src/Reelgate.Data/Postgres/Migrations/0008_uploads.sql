-- Reelgate PostgreSQL schema, version 8: uploaded files (see the SQLite migration 0011). The quota
-- is kept by locking the account row (SELECT ... FOR UPDATE) before summing its unexpired sizes.
-- IF NOT EXISTS: re-running it (a test re-applies the migrations after 5) changes nothing.
CREATE TABLE IF NOT EXISTS uploads (
    file_id     text PRIMARY KEY,
    account_id  text NOT NULL REFERENCES accounts (id),
    key         text NOT NULL,
    file_name   text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('image', 'video', 'audio')),
    mime_type   text NOT NULL,
    extension   text NOT NULL,
    size        bigint NOT NULL CHECK (size > 0),
    width       integer NOT NULL,
    height      integer NOT NULL,
    duration    double precision NOT NULL,
    created_at  bigint NOT NULL,
    expires_at  bigint NOT NULL
);

CREATE INDEX IF NOT EXISTS uploads_account_expiry ON uploads (account_id, expires_at);
CREATE INDEX IF NOT EXISTS uploads_expiry ON uploads (expires_at);
