-- Version 11: files clients upload (POST /api/v1/files and the kie.ai upload routes), checked by
-- content at upload. The bytes are in the result store under key (file_{id}/source.{ext}); the row
-- says whose they are, what inspection found, and when retention deletes them. Times are Unix
-- milliseconds. The quota sums an account's unexpired sizes: (account_id, expires_at) serves it,
-- expires_at serves retention's sweep.
CREATE TABLE IF NOT EXISTS uploads (
    file_id     TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    key         TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('image', 'video', 'audio')),
    mime_type   TEXT NOT NULL,
    extension   TEXT NOT NULL,
    size        INTEGER NOT NULL CHECK (size > 0),
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    duration    REAL NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE INDEX IF NOT EXISTS uploads_account_expiry ON uploads (account_id, expires_at);
CREATE INDEX IF NOT EXISTS uploads_expiry ON uploads (expires_at);
