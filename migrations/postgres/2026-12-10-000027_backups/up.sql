-- Every backup: the scheduled one (one a day, claimed by the first `serve` process from
-- backup.hour; `day` is its local date) and each `platsa backup` (no day). What /readyz,
-- /metrics and the admins' signal read. Times, sizes and file names only.
CREATE TABLE backups (
    id TEXT PRIMARY KEY NOT NULL,
    day TEXT UNIQUE,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    ok BOOLEAN,
    file TEXT,
    bytes BIGINT,
    encrypted BOOLEAN NOT NULL DEFAULT FALSE,
    error TEXT
);
CREATE INDEX backups_started ON backups (started_at);
