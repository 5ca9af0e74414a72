-- Reelgate PostgreSQL schema, version 10: per-key limits (issue 23). Re-runnable.
-- A key may be held to a credit limit per UTC day, UTC month or its whole life (what its tasks
-- created in the period cost, less refunds: a failed task's refund gives its room back), to a list
-- of client addresses and CIDR ranges (space-separated, canonical), and to an expiry time (Unix
-- ms). NULL is no limit.
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS credit_limit bigint CHECK (credit_limit IS NULL OR credit_limit >= 0);
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS credit_period text CHECK (credit_period IS NULL OR credit_period IN ('day', 'month', 'total'));
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS allowed_ips text;
ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS expires_at bigint;

-- What each key's tasks created on each UTC day (create_time / 86400000) cost, less the refunds
-- of those that failed, so a period's spend is at most 31 rows (a month) to add, not every task
-- of the period. Kept by the ledger's statement trigger: a charge or refund row of a task moves
-- its key's day by -amount, after the account's balance (every writer takes the account row
-- first, then these rows in key and day order, so concurrent writers queue instead of deadlocking).
CREATE TABLE IF NOT EXISTS key_day_spend (
    key_id  text NOT NULL,
    day     bigint NOT NULL,
    spent   bigint NOT NULL,
    PRIMARY KEY (key_id, day)
);
INSERT INTO key_day_spend (key_id, day, spent)
SELECT key_id, create_time / 86400000, SUM(cost)::bigint FROM tasks WHERE state <> 'fail' GROUP BY key_id, create_time / 86400000
ON CONFLICT (key_id, day) DO NOTHING;

CREATE OR REPLACE FUNCTION ledger_post_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE accounts a SET credits = a.credits + p.total, updated_at = p.at
      FROM (SELECT account_id, SUM(amount)::bigint AS total, MAX(created_at) AS at FROM posted GROUP BY account_id) p
     WHERE a.id = p.account_id;
    INSERT INTO key_day_spend AS s (key_id, day, spent)
    SELECT t.key_id, t.create_time / 86400000, (-SUM(p.amount))::bigint
      FROM posted p JOIN tasks t ON t.id = p.task_id
     WHERE p.kind IN ('charge', 'refund')
     GROUP BY t.key_id, t.create_time / 86400000
     ORDER BY 1, 2
    ON CONFLICT (key_id, day) DO UPDATE SET spent = s.spent + excluded.spent;
    RETURN NULL;
END $$;

-- create_tasks of migration 9 with the key's credit limit checked after the active-task limit and
-- before the balance (the order of Reelgate.Core.Tasks.CreateTransaction): a create whose cost
-- would take the key's spend in its period above the limit answers 'key_limit'. The limit is read
-- from the key row this statement has locked, so racing creates of one key (on any node) queue on
-- that lock and each sees the ones before it. p_day_from and p_month_from are each create's UTC
-- day and month start, computed by the caller (KeyLimits.PeriodStart: one calendar, in one place).
DROP FUNCTION IF EXISTS create_tasks(text[], text[], text[], text[], text[], text[], bigint[], bigint[], text[], text[], text[], text[], bigint[], text[], integer[], text);
CREATE OR REPLACE FUNCTION create_tasks(
    p_ids text[], p_accounts text[], p_keys text[], p_models text[], p_params text[], p_inputs text[],
    p_costs bigint[], p_seeds bigint[], p_callbacks text[], p_bases text[], p_request_ids text[],
    p_hashes text[], p_nows bigint[], p_specs text[], p_limits integer[], p_day_from bigint[], p_month_from bigint[], p_channel text)
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
    lim_keys text[];          -- the batch's keys with a credit limit: limit, period, the period start counted from, spent since
    lim_limits bigint[];
    lim_periods text[];
    lim_from bigint[];
    lim_spent bigint[];
    k_from bigint;
    k_spent bigint;
    kj integer;
    m integer;
    req text;
    i integer;
    j integer;
BEGIN
    PERFORM 1 FROM api_keys WHERE id = ANY (p_keys) ORDER BY id FOR UPDATE;
    SELECT array_agg(k.id), array_agg(k.credit_limit), array_agg(k.credit_period)
      INTO lim_keys, lim_limits, lim_periods
      FROM api_keys k WHERE k.id = ANY (p_keys) AND k.credit_limit IS NOT NULL;
    lim_from := array_fill(NULL::bigint, ARRAY[coalesce(cardinality(lim_keys), 0)]);
    lim_spent := array_fill(0::bigint, ARRAY[coalesce(cardinality(lim_keys), 0)]);
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

        kj := array_position(lim_keys, p_keys[i]);
        IF kj IS NOT NULL THEN
            k_from := CASE lim_periods[kj] WHEN 'day' THEN p_day_from[i] WHEN 'month' THEN p_month_from[i] ELSE 0 END;
            IF lim_from[kj] IS DISTINCT FROM k_from THEN
                -- First create of this key in the batch, or the batch crossed into a new period.
                SELECT COALESCE(SUM(s.spent), 0)::bigint INTO k_spent
                  FROM key_day_spend s WHERE s.key_id = p_keys[i] AND s.day >= k_from / 86400000;
                FOR m IN 1 .. i - 1 LOOP
                    IF created[m] AND p_keys[m] = p_keys[i] AND p_nows[m] >= k_from THEN
                        k_spent := k_spent + p_costs[m];
                    END IF;
                END LOOP;
                lim_from[kj] := k_from;
                lim_spent[kj] := k_spent;
            END IF;
            IF lim_spent[kj] + p_costs[i] > lim_limits[kj] THEN
                task_id := NULL;
                status := 'key_limit';
                RETURN NEXT;
                CONTINUE;
            END IF;
        END IF;

        j := array_position(acc_ids, p_accounts[i]);
        IF j IS NULL OR acc_credits[j] < p_costs[i] THEN
            task_id := NULL;
            status := 'insufficient';
            RETURN NEXT;
            CONTINUE;
        END IF;

        acc_credits[j] := acc_credits[j] - p_costs[i];
        IF kj IS NOT NULL THEN
            lim_spent[kj] := lim_spent[kj] + p_costs[i];
        END IF;
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
