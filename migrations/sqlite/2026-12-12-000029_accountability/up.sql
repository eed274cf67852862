-- The ranking log (EU AI Act Art. 12, 19, 26): every ranked list served, on a page or over the
-- API, with the ranking version that made it and what was on it. Kept
-- accountability.log_months (at least six), then deleted by the daily retention run; an
-- erasure removes the person's id from it (the rest stays: that a list was shown).

-- Each ranking version once: the weights and rules as text, and their hash, which a list names.
CREATE TABLE ranking_versions (
    hash TEXT PRIMARY KEY NOT NULL,
    text TEXT NOT NULL,
    first_used_at BIGINT NOT NULL
);

-- One row a list: when, who, which list (candidates for an opening, openings for a person),
-- through which route, the filters (JSON), the total and where the page began.
CREATE TABLE ranking_log (
    id TEXT PRIMARY KEY NOT NULL,
    at BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    list TEXT NOT NULL,
    route TEXT NOT NULL,
    opening_id TEXT,
    seeker_id TEXT,
    version TEXT NOT NULL,
    filters TEXT NOT NULL,
    total BIGINT NOT NULL,
    first_rank INTEGER NOT NULL
);
CREATE INDEX ranking_log_at ON ranking_log (at);
CREATE INDEX ranking_log_opening ON ranking_log (opening_id, at);
CREATE INDEX ranking_log_seeker ON ranking_log (seeker_id, at);

-- What a list showed: rank, score, and the person (candidates) or the opening (openings).
-- No index on seeker_id: inserting 50 random keys a list into one doubled the write a
-- candidates request makes (pages dirtied all over the index) and cut throughput by a
-- third. A person's rows are found through the audit log instead, which records every
-- person shown, at the same instant by the same user (`privacy::erasure`).
CREATE TABLE ranking_log_shown (
    log_id TEXT NOT NULL,
    rank INTEGER NOT NULL,
    seeker_id TEXT,
    opening_id TEXT,
    score REAL NOT NULL,
    PRIMARY KEY (log_id, rank)
);

-- Human oversight (Art. 14): the person's rank in the list the broker proposed from; NULL
-- when proposed from a search or the profile.
ALTER TABLE placements ADD COLUMN list_rank INTEGER;
ALTER TABLE placements ADD COLUMN ranking_log_id TEXT;

-- Exposure ("alla blir synliggjorda"), per unit, as the daily run measured it over the
-- trailing 30 days: what the managers' signal reads. Counts only.
CREATE TABLE exposure_days (
    day TEXT NOT NULL,
    unit TEXT NOT NULL,
    eligible BIGINT NOT NULL,
    shown_top BIGINT NOT NULL,
    proposed BIGINT NOT NULL,
    never_shown BIGINT NOT NULL,
    PRIMARY KEY (day, unit)
);
CREATE TABLE exposure_runs (
    day TEXT PRIMARY KEY NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT
);
