-- Reelgate PostgreSQL schema, version 7: the generation spec resolved once at create, as JSON
-- (see the SQLite migration 0009). Tasks stored before have NULL and are read from their input.
-- IF NOT EXISTS: re-running it (a test re-applies the migrations after 5) changes nothing.
ALTER TABLE tasks ADD COLUMN IF NOT EXISTS spec text;
