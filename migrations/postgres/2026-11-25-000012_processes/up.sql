-- Process measures with monthly targets beside the exits target, the record of pushed
-- signals, and re-registrations after an exit (the follow-up of lasting exits).

-- A unit's monthly target for one process measure (the exits target stays in `targets`).
CREATE TABLE process_targets (
    unit TEXT NOT NULL REFERENCES units (name),
    month TEXT NOT NULL,
    measure TEXT NOT NULL CHECK (measure IN ('median_hours_to_meeting', 'share_met_next_working_day',
        'no_show_share', 'proposals', 'share_contacted_14_days', 'median_days_to_first_proposal')),
    target DOUBLE PRECISION NOT NULL,
    note TEXT,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (unit, month, measure)
);

CREATE TABLE process_target_changes (
    id TEXT PRIMARY KEY NOT NULL,
    unit TEXT NOT NULL,
    month TEXT NOT NULL,
    measure TEXT NOT NULL,
    target DOUBLE PRECISION NOT NULL,
    note TEXT,
    changed_by TEXT NOT NULL REFERENCES users (id),
    changed_at BIGINT NOT NULL
);
CREATE INDEX process_target_changes_month ON process_target_changes (month, unit);

-- Every signal pushed to the signal webhook: the key is the signal's identity, so a signal
-- seen by two serve processes (or two runs) is one delivery.
CREATE TABLE signal_deliveries (
    signal_key TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX signal_deliveries_due ON signal_deliveries (status, next_attempt_at);

-- Staff registering someone again after an exit (status exited back to active or paused).
CREATE TABLE seeker_returns (
    id TEXT PRIMARY KEY NOT NULL,
    seeker_id TEXT NOT NULL REFERENCES seekers (id),
    returned_on TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX seeker_returns_seeker ON seeker_returns (seeker_id, returned_on);
