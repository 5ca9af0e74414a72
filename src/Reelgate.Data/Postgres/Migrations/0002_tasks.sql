-- Reelgate PostgreSQL schema, version 2: tasks (the queue), the callback outbox, leader leases.
-- Rules the database itself enforces (not only the application):
--   * idempotency: one task per (key, X-Request-ID) (unique index);
--   * a task ends once: an ended task's state, result and failure never change again (trigger);
--   * billing: at commit, a task with a cost has exactly its charge, and a failed one its refund
--     (deferred constraint triggers), on top of the ledger's unique (task_id, kind).

ALTER TABLE accounts ADD COLUMN webhook_secret text;

CREATE TABLE tasks (
    id            text PRIMARY KEY,
    account_id    text NOT NULL REFERENCES accounts (id),
    key_id        text NOT NULL REFERENCES api_keys (id),
    model         text NOT NULL,
    state         text NOT NULL CHECK (state IN ('waiting', 'success', 'fail')),
    param         text NOT NULL,
    input         text NOT NULL,
    cost          bigint NOT NULL CHECK (cost >= 0),
    seed          bigint NOT NULL,
    callback_url  text,
    base_url      text,
    request_id    text,
    request_hash  text,
    result_key    text,
    thumbnail_key text,
    fail_code     text,
    fail_msg      text,
    create_time   bigint NOT NULL,
    start_time    bigint,
    complete_time bigint,
    update_time   bigint NOT NULL,
    progress      integer NOT NULL DEFAULT 0,
    attempts      integer NOT NULL DEFAULT 0,
    lease_token   text,
    lease_expires bigint,
    worker_id     text,
    CHECK (state <> 'success' OR result_key IS NOT NULL),
    CHECK (state <> 'fail' OR fail_code IS NOT NULL),
    CHECK (state = 'waiting' OR lease_token IS NULL)
);
CREATE UNIQUE INDEX ux_tasks_idempotency ON tasks (key_id, request_id) WHERE request_id IS NOT NULL;
CREATE INDEX ix_tasks_queue ON tasks (create_time, id) WHERE state = 'waiting';
CREATE INDEX ix_tasks_key_waiting ON tasks (key_id) WHERE state = 'waiting';
CREATE INDEX ix_tasks_account ON tasks (account_id, create_time);

CREATE FUNCTION tasks_end_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state <> 'waiting' AND (NEW.state, NEW.result_key, NEW.fail_code, NEW.cost) IS DISTINCT FROM (OLD.state, OLD.result_key, OLD.fail_code, OLD.cost) THEN
        RAISE EXCEPTION 'task % has ended (%); it cannot change', OLD.id, OLD.state;
    END IF;
    IF NEW.cost <> OLD.cost THEN
        RAISE EXCEPTION 'the cost of task % is fixed at creation', OLD.id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER tasks_end_once BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION tasks_end_once();
CREATE FUNCTION tasks_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'tasks are never deleted (they carry the billing history)';
END $$;
CREATE TRIGGER tasks_no_delete BEFORE DELETE ON tasks FOR EACH ROW EXECUTE FUNCTION tasks_no_delete();

-- Checked at commit: the charge of a new task, the refund of a failed one.
CREATE FUNCTION tasks_billed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    charged bigint;
    refunded bigint;
BEGIN
    IF NEW.cost = 0 THEN
        RETURN NULL;
    END IF;
    SELECT COALESCE(SUM(CASE WHEN kind = 'charge' THEN -amount END), 0), COALESCE(SUM(CASE WHEN kind = 'refund' THEN amount END), 0)
      INTO charged, refunded FROM ledger WHERE task_id = NEW.id;
    IF charged <> NEW.cost THEN
        RAISE EXCEPTION 'task % costs % but was charged %', NEW.id, NEW.cost, charged;
    END IF;
    IF NEW.state = 'fail' AND refunded <> NEW.cost THEN
        RAISE EXCEPTION 'failed task % costs % but was refunded %', NEW.id, NEW.cost, refunded;
    END IF;
    IF NEW.state <> 'fail' AND refunded <> 0 THEN
        RAISE EXCEPTION 'task % (%) was refunded but did not fail', NEW.id, NEW.state;
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER tasks_billed AFTER INSERT OR UPDATE ON tasks DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tasks_billed();

CREATE TABLE callback_deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id          text NOT NULL UNIQUE REFERENCES tasks (id),
    account_id       text NOT NULL,
    url              text NOT NULL,
    state            text NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  bigint NOT NULL,
    created_at       bigint NOT NULL,
    updated_at       bigint NOT NULL
);
CREATE INDEX ix_callback_due ON callback_deliveries (next_attempt_at) WHERE state = 'pending';

CREATE TABLE callback_attempts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id  bigint NOT NULL REFERENCES callback_deliveries (id),
    attempted_at bigint NOT NULL,
    status_code  integer,
    error        text,
    duration_ms  bigint NOT NULL
);
CREATE INDEX ix_callback_attempts_delivery ON callback_attempts (delivery_id, id);

-- Leadership for periodic jobs: one row per job name; a node holds it until expires_at.
CREATE TABLE leases (
    name        text PRIMARY KEY,
    holder      text NOT NULL,
    expires_at  bigint NOT NULL
);
