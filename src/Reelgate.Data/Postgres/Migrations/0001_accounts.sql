-- Reelgate PostgreSQL schema, version 1: accounts, API keys and the credit ledger.
-- The ledger rule is the database's own: a ledger row moves the balance (trigger), the balance
-- moves only through a ledger row (trigger), it can never go below zero (CHECK), the ledger is
-- append-only (triggers), and a task has at most one charge and one refund (unique index).

CREATE TABLE accounts (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    credits     bigint NOT NULL DEFAULT 0 CHECK (credits >= 0),
    disabled    boolean NOT NULL DEFAULT false,
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
);

CREATE TABLE api_keys (
    id          text PRIMARY KEY,
    account_id  text NOT NULL REFERENCES accounts (id),
    name        text NOT NULL,
    tier        text NOT NULL,
    prefix      text NOT NULL,
    lookup      text NOT NULL,
    hash        bytea NOT NULL,
    revoked     boolean NOT NULL DEFAULT false,
    created_at  bigint NOT NULL,
    revoked_at  bigint
);
CREATE INDEX ix_api_keys_lookup ON api_keys (lookup);
CREATE INDEX ix_api_keys_account ON api_keys (account_id);

CREATE TABLE ledger (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  text NOT NULL REFERENCES accounts (id),
    amount      bigint NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('grant', 'adjust', 'charge', 'refund')),
    reason      text NOT NULL,
    task_id     text,
    created_at  bigint NOT NULL
);
CREATE INDEX ix_ledger_account ON ledger (account_id, id);
CREATE UNIQUE INDEX ux_ledger_task_kind ON ledger (task_id, kind) WHERE task_id IS NOT NULL;

CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger is append-only';
END $$;
CREATE TRIGGER ledger_no_change BEFORE UPDATE OR DELETE ON ledger FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

-- A ledger row moves the balance in the same transaction; CHECK (credits >= 0) refuses an overdraft.
CREATE FUNCTION ledger_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts SET credits = credits + NEW.amount, updated_at = NEW.created_at WHERE id = NEW.account_id;
    RETURN NEW;
END $$;
CREATE TRIGGER ledger_moves_balance AFTER INSERT ON ledger FOR EACH ROW EXECUTE FUNCTION ledger_post();

-- The balance moves only from ledger_post (trigger depth 2), never by a direct UPDATE.
CREATE FUNCTION credits_only_by_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.credits IS DISTINCT FROM OLD.credits AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'credits change only through the ledger';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER accounts_credits_by_ledger BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION credits_only_by_ledger();
CREATE FUNCTION credits_start_at_zero() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.credits <> 0 THEN
        RAISE EXCEPTION 'an account starts at 0 credits; grant them through the ledger';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER accounts_start_at_zero BEFORE INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION credits_start_at_zero();
