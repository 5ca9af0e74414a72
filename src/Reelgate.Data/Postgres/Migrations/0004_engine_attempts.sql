-- Reelgate PostgreSQL schema, version 4: the journal of engine attempts (which engine, the
-- upstream task id, the outcome, the upstream's usage). An upstream id, once recorded, never changes.
CREATE TABLE engine_attempts (
    id          bigserial PRIMARY KEY,
    task_id     text NOT NULL REFERENCES tasks (id),
    claim       integer NOT NULL,
    engine      text NOT NULL,
    upstream_id text,
    outcome     text NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'failed_over', 'interrupted')),
    fail_code   text,
    detail      text,
    usage       text,
    started_at  bigint NOT NULL,
    ended_at    bigint,
    CHECK ((outcome = 'running') = (ended_at IS NULL))
);
CREATE INDEX ix_engine_attempts_task ON engine_attempts (task_id, id);

CREATE FUNCTION engine_attempts_upstream_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.upstream_id IS NOT NULL AND NEW.upstream_id IS DISTINCT FROM OLD.upstream_id THEN
        RAISE EXCEPTION 'an attempt''s upstream id never changes';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER engine_attempts_upstream_once BEFORE UPDATE ON engine_attempts
FOR EACH ROW EXECUTE FUNCTION engine_attempts_upstream_once();
