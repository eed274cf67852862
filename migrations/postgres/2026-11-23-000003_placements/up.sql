-- A placement is one seeker's path toward one opening (or studies, which need none).
CREATE TABLE placements (
    id TEXT PRIMARY KEY NOT NULL,
    seeker_id TEXT NOT NULL REFERENCES seekers (id),
    opening_id TEXT REFERENCES openings (id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    broker_id TEXT NOT NULL REFERENCES users (id),
    -- The seeker's unit when proposed: reports count a placement where it was made.
    unit TEXT,
    outcome TEXT,
    employment_until TEXT,
    student_finance_eligible BOOLEAN,
    proposed_on TEXT NOT NULL,
    started_on TEXT,
    ended_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX placements_seeker ON placements (seeker_id);
CREATE INDEX placements_opening ON placements (opening_id);
CREATE INDEX placements_ended ON placements (ended_on);
-- One open placement per seeker and opening, even when two brokers propose at once.
CREATE UNIQUE INDEX placements_one_open_per_opening ON placements (seeker_id, opening_id)
    WHERE status NOT IN ('ended', 'declined_by_seeker', 'declined_by_employer', 'withdrawn');

-- Every transition, never overwritten.
CREATE TABLE placement_events (
    id TEXT PRIMARY KEY NOT NULL,
    placement_id TEXT NOT NULL REFERENCES placements (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    happened_on TEXT NOT NULL,
    note TEXT,
    details TEXT,
    by_user TEXT NOT NULL REFERENCES users (id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX placement_events_placement ON placement_events (placement_id, recorded_at);
