-- Reelgate PostgreSQL schema, version 5: result retention. A successful task whose files were
-- removed after Reelgate:ResultRetention keeps its record; results_expired_at says when.
ALTER TABLE tasks ADD COLUMN results_expired_at bigint;
CREATE INDEX ix_tasks_retention ON tasks (complete_time) WHERE state = 'success' AND results_expired_at IS NULL;
