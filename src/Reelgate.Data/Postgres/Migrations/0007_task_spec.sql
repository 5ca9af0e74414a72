-- Reelgate PostgreSQL schema, version 7: the generation spec resolved once at create, as JSON
-- (see the SQLite migration 0009). Tasks stored before have NULL and are read from their input.
ALTER TABLE tasks ADD COLUMN spec text;
