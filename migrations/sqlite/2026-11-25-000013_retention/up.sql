-- Automatic erasure after a configured period of inactivity or after exit: one row per day
-- the job ran (the primary key makes it run once a day across serve processes).
CREATE TABLE retention_runs (
    day TEXT PRIMARY KEY NOT NULL,
    erased INTEGER NOT NULL DEFAULT 0,
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);
