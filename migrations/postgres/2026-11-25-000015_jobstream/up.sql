-- Openings from Arbetsförmedlingen's JobStream (Platsbanken): where an opening came from,
-- its id there and its page. Platsa's own openings have source 'platsa' and no external id.
ALTER TABLE openings ADD COLUMN source TEXT NOT NULL DEFAULT 'platsa';
ALTER TABLE openings ADD COLUMN external_id TEXT;
ALTER TABLE openings ADD COLUMN webpage_url TEXT;
-- The same ad twice is one opening.
CREATE UNIQUE INDEX openings_source_external ON openings (source, external_id);

-- Openings read from JobStream are created by this account; it has no tokens, so nobody
-- signs in as it, and user lists leave it out.
INSERT INTO users (id, name, role, created_at) VALUES ('jobstream', 'Platsbanken (JobStream)', 'admin', 0);

-- Where the stream was read up to (Swedish local time, as JobStream's `date` takes it), and
-- who is reading it now: one serve process at a time claims the run until `running_until`.
CREATE TABLE jobstream_state (
    feed TEXT PRIMARY KEY NOT NULL,
    position TEXT,
    running_until BIGINT,
    last_success_at BIGINT,
    last_error TEXT,
    failures INTEGER NOT NULL DEFAULT 0
);

-- One row per sync: what it read and did. Problems name the ad id, field and kind of
-- problem, never a value.
CREATE TABLE jobstream_runs (
    id TEXT PRIMARY KEY NOT NULL,
    feed TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    position_from TEXT,
    position_to TEXT,
    ads INTEGER NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    filtered INTEGER NOT NULL,
    malformed INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    error TEXT,
    problems TEXT NOT NULL
);
CREATE INDEX jobstream_runs_started ON jobstream_runs (started_at);
