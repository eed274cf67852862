-- Bulk imports of seekers from a municipality's register: one row per import (dry runs
-- too), with its counts and its report (row, field, problem; never a value).
CREATE TABLE imports (
    id TEXT PRIMARY KEY NOT NULL,
    by_user TEXT NOT NULL,
    at BIGINT NOT NULL,
    format TEXT NOT NULL,
    rows_total INTEGER NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    dry_run BOOLEAN NOT NULL,
    applied BOOLEAN NOT NULL,
    report TEXT NOT NULL
);
CREATE INDEX imports_at ON imports (at);
