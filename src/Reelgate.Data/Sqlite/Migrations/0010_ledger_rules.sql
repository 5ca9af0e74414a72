-- Version 10: the task and billing rules in the database itself, as PostgreSQL has had them since
-- its migration 0002, so a writer other than this code (a script, a bug) cannot break them either.
-- Already here: the ledger is append-only (0001 triggers) and a task has at most one charge and one
-- refund (0001 unique index on ledger (task_id, kind)). Added:
--   * a task with a cost is inserted only after its charge of exactly that cost (the store charges
--     first, in the same transaction; SQLite has no deferred triggers to check it at commit);
--   * a refund is only for a failed task, and exactly its cost (the store ends the task, then refunds);
--   * a task ends once: an ended task's state, result, failure and cost never change;
--   * a task's cost is fixed at creation, and tasks are never deleted (they carry the billing history).
-- Rows already stored are not re-checked: the rules hold for every write from now on.
CREATE TRIGGER tasks_charged_first BEFORE INSERT ON tasks
WHEN NEW.cost <> 0 AND NOT EXISTS (SELECT 1 FROM ledger WHERE task_id = NEW.id AND kind = 'charge' AND amount = -NEW.cost)
BEGIN
    SELECT RAISE(ABORT, 'a task must be charged its cost before it is inserted: it was charged 0 or another amount');
END;

CREATE TRIGGER ledger_refund_of_failed_task BEFORE INSERT ON ledger
WHEN NEW.kind = 'refund' AND NOT EXISTS (SELECT 1 FROM tasks WHERE id = NEW.task_id AND state = 'fail' AND cost = NEW.amount)
BEGIN
    SELECT RAISE(ABORT, 'a refund is for a failed task, of its cost: this task was refunded but did not fail (or not of its cost)');
END;

CREATE TRIGGER tasks_end_once BEFORE UPDATE ON tasks
WHEN OLD.state <> 'waiting'
 AND (NEW.state IS NOT OLD.state OR NEW.result_key IS NOT OLD.result_key OR NEW.fail_code IS NOT OLD.fail_code OR NEW.cost IS NOT OLD.cost)
BEGIN
    SELECT RAISE(ABORT, 'the task has ended; it cannot change');
END;

CREATE TRIGGER tasks_cost_fixed BEFORE UPDATE OF cost ON tasks
WHEN NEW.cost IS NOT OLD.cost
BEGIN
    SELECT RAISE(ABORT, 'the cost of a task is fixed at creation; it cannot change');
END;

CREATE TRIGGER tasks_no_delete BEFORE DELETE ON tasks
BEGIN
    SELECT RAISE(ABORT, 'tasks are never deleted (they carry the billing history)');
END;
