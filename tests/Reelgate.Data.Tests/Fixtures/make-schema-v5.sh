#!/bin/sh
# Regenerates schema-v5.db: migrations 0001..0005 exactly as SqliteDatabase.MigrateAsync applies
# them (one transaction, a schema_version row per step), then the rows of schema-v5-rows.sql,
# in WAL mode like a server's file. Needs the sqlite3 shell (Debian: sqlite3). Run it once; the
# .db it writes is the committed fixture (old migrations never change, so it is reproducible).
set -eu
cd "$(dirname "$0")"
migrations=../../../src/Reelgate.Data/Sqlite/Migrations
rm -f schema-v5.db schema-v5.db-wal schema-v5.db-shm
{
    echo "PRAGMA journal_mode = WAL;"
    echo "PRAGMA foreign_keys = ON;"
    echo "BEGIN IMMEDIATE;"
    echo "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
    for v in 1 2 3 4 5; do
        cat "$migrations"/000${v}_*.sql
        echo
        echo "INSERT INTO schema_version (version) VALUES ($v);"
    done
    cat schema-v5-rows.sql
    echo "COMMIT;"
    echo "PRAGMA foreign_key_check;"
    echo "PRAGMA integrity_check;"
} | sqlite3 -bail schema-v5.db
