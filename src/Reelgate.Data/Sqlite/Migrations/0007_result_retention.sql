-- Version 7: result retention. A successful task whose files were removed after
-- Reelgate:ResultRetention keeps its record; results_expired_at says when its files went.
ALTER TABLE tasks ADD COLUMN results_expired_at INTEGER;
CREATE INDEX ix_tasks_retention ON tasks (complete_time) WHERE state = 'success' AND results_expired_at IS NULL;
