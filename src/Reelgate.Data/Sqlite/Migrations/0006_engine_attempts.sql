-- Version 6: the journal of engine attempts (which engine, the upstream task id, the outcome,
-- the upstream's usage). An upstream id, once recorded, never changes.
CREATE TABLE engine_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id     TEXT NOT NULL REFERENCES tasks (id),
    claim       INTEGER NOT NULL,
    engine      TEXT NOT NULL,
    upstream_id TEXT,
    outcome     TEXT NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'failed_over', 'interrupted')),
    fail_code   TEXT,
    detail      TEXT,
    usage       TEXT,
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    CHECK ((outcome = 'running') = (ended_at IS NULL))
);
CREATE INDEX ix_engine_attempts_task ON engine_attempts (task_id, id);
CREATE TRIGGER engine_attempts_upstream_once BEFORE UPDATE OF upstream_id ON engine_attempts
WHEN OLD.upstream_id IS NOT NULL AND NEW.upstream_id IS NOT OLD.upstream_id
BEGIN
    SELECT RAISE(ABORT, 'an attempt''s upstream id never changes');
END;
