-- Reelgate PostgreSQL schema, version 9: createTask in one round trip, and many creates in one commit.
-- Re-runnable (a test re-applies the migrations after 5): CREATE OR REPLACE, DROP ... IF EXISTS.
--
-- 1. The ledger moves balances once per statement. A row trigger updated the account row once
--    per ledger row; this statement trigger sums the statement's rows per account (transition
--    table) and updates each account once, so a batch of N charges on one hot account is one
--    UPDATE of its row. The rules of migration 0001 are unchanged: a ledger row is the only way
--    to move a balance (the UPDATE runs at trigger depth 1, so credits_only_by_ledger allows it
--    and nothing else), CHECK (credits >= 0) refuses an overdraft, the ledger is append-only.
DROP TRIGGER IF EXISTS ledger_moves_balance ON ledger;
DROP FUNCTION IF EXISTS ledger_post();
CREATE OR REPLACE FUNCTION ledger_post_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts a SET credits = a.credits + p.total, updated_at = p.at
      FROM (SELECT account_id, SUM(amount)::bigint AS total, MAX(created_at) AS at FROM posted GROUP BY account_id) p
     WHERE a.id = p.account_id;
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_moves_balance AFTER INSERT ON ledger REFERENCING NEW TABLE AS posted
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_post_statement();

-- 2. create_tasks: the create transaction of Reelgate.Core.Tasks.CreateTransaction (same rule,
--    same order) for a batch of creates, as one statement. Per create, in the batch's order:
--    a request id the key used before (in the database or earlier in this batch) answers
--    'replayed' (same body hash) or 'conflict'; a key at its active-task limit answers
--    'active_limit'; a balance below the cost answers 'insufficient'; otherwise 'created'.
--    Locks: the batch's keys, then its accounts, each in id order (every create takes them in
--    this order, so concurrent batches of many nodes queue instead of deadlocking). Writes: the
--    created tasks in one INSERT, their charges in one ledger INSERT (one balance UPDATE per
--    account), one NOTIFY of the queue channel, delivered at commit. The deferred billing trigger
--    of migration 0002 still checks every task's charge at commit. Returns one row per create,
--    in the batch's order: (ord, status, task_id).
CREATE OR REPLACE FUNCTION create_tasks(
    p_ids text[], p_accounts text[], p_keys text[], p_models text[], p_params text[], p_inputs text[],
    p_costs bigint[], p_seeds bigint[], p_callbacks text[], p_bases text[], p_request_ids text[],
    p_hashes text[], p_nows bigint[], p_specs text[], p_limits integer[], p_channel text)
RETURNS TABLE (ord integer, status text, task_id text) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    n integer := cardinality(p_ids);
    created boolean[] := array_fill(false, ARRAY[n]);
    any_created boolean := false;
    acc_ids text[];
    acc_credits bigint[];
    seen_reqs text[];         -- key || chr(31) || request id: earlier in the database, then in this batch
    seen_ids text[];
    seen_hashes text[];
    wait_keys text[];         -- the batch's keys with a limit, and their waiting tasks (counted once, kept up to date here)
    wait_counts bigint[];
    req text;
    i integer;
    j integer;
BEGIN
    PERFORM 1 FROM api_keys WHERE id = ANY (p_keys) ORDER BY id FOR UPDATE;
    SELECT array_agg(x.id ORDER BY x.id), array_agg(x.credits ORDER BY x.id) INTO acc_ids, acc_credits
      FROM (SELECT a.id, a.credits FROM accounts a WHERE a.id = ANY (p_accounts) ORDER BY a.id FOR UPDATE) x;

    SELECT array_agg(t.key_id || chr(31) || t.request_id), array_agg(t.id), array_agg(t.request_hash)
      INTO seen_reqs, seen_ids, seen_hashes
      FROM tasks t
     WHERE t.request_id IS NOT NULL
       AND (t.key_id, t.request_id) IN (SELECT u.k, u.q FROM unnest(p_keys, p_request_ids) AS u(k, q) WHERE u.q IS NOT NULL);

    SELECT array_agg(d.k), array_agg((SELECT count(*) FROM tasks tk WHERE tk.key_id = d.k AND tk.state = 'waiting'))
      INTO wait_keys, wait_counts
      FROM (SELECT DISTINCT u.k FROM unnest(p_keys, p_limits) AS u(k, l) WHERE u.l IS NOT NULL) d;

    FOR i IN 1 .. n LOOP
        ord := i;
        IF p_request_ids[i] IS NOT NULL THEN
            req := p_keys[i] || chr(31) || p_request_ids[i];
            j := array_position(seen_reqs, req);
            IF j IS NOT NULL THEN
                task_id := seen_ids[j];
                status := CASE WHEN seen_hashes[j] IS NOT DISTINCT FROM p_hashes[i] THEN 'replayed' ELSE 'conflict' END;
                RETURN NEXT;
                CONTINUE;
            END IF;
        END IF;

        IF p_limits[i] IS NOT NULL AND wait_counts[array_position(wait_keys, p_keys[i])] >= p_limits[i] THEN
            task_id := NULL;
            status := 'active_limit';
            RETURN NEXT;
            CONTINUE;
        END IF;

        j := array_position(acc_ids, p_accounts[i]);
        IF j IS NULL OR acc_credits[j] < p_costs[i] THEN
            task_id := NULL;
            status := 'insufficient';
            RETURN NEXT;
            CONTINUE;
        END IF;

        acc_credits[j] := acc_credits[j] - p_costs[i];
        j := array_position(wait_keys, p_keys[i]); -- also when this create has no limit but another of its key has
        IF j IS NOT NULL THEN
            wait_counts[j] := wait_counts[j] + 1;
        END IF;
        IF p_request_ids[i] IS NOT NULL THEN
            seen_reqs := seen_reqs || req;
            seen_ids := seen_ids || p_ids[i];
            seen_hashes := seen_hashes || p_hashes[i];
        END IF;
        created[i] := true;
        any_created := true;
        task_id := p_ids[i];
        status := 'created';
        RETURN NEXT;
    END LOOP;

    IF any_created THEN
        INSERT INTO tasks (id, account_id, key_id, model, state, param, input, cost, seed, callback_url, base_url,
                           request_id, request_hash, create_time, update_time, spec)
        SELECT u.id, u.acc, u.k, u.model, 'waiting', u.param, u.input, u.cost, u.seed, u.cb, u.base, u.req, u.hash, u.at, u.at, u.spec
          FROM unnest(p_ids, p_accounts, p_keys, p_models, p_params, p_inputs, p_costs, p_seeds, p_callbacks, p_bases,
                      p_request_ids, p_hashes, p_nows, p_specs)
               WITH ORDINALITY AS u(id, acc, k, model, param, input, cost, seed, cb, base, req, hash, at, spec, o)
         WHERE created[u.o]
         ORDER BY u.o;
        INSERT INTO ledger (account_id, amount, kind, reason, task_id, created_at)
        SELECT u.acc, -u.cost, 'charge', 'task ' || u.id, u.id, u.at
          FROM unnest(p_ids, p_accounts, p_costs, p_nows) WITH ORDINALITY AS u(id, acc, cost, at, o)
         WHERE created[u.o]
         ORDER BY u.o;
        PERFORM pg_notify(p_channel, '');
    END IF;
END $$;
