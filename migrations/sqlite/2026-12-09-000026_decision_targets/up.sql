-- The decision clock's two measures take monthly targets too. Runs outside diesel's
-- transaction (metadata.toml): SQLite cannot change a CHECK in place, so process_targets is
-- rebuilt (foreign keys off, one transaction, new table, copy, drop, rename).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE process_targets_new (
    unit TEXT NOT NULL REFERENCES units (name),
    month TEXT NOT NULL,
    measure TEXT NOT NULL CHECK (measure IN ('median_hours_to_meeting', 'share_met_next_working_day',
        'no_show_share', 'proposals', 'share_contacted_14_days', 'median_days_to_first_proposal',
        'share_with_agreed_plan', 'attendance_rate', 'median_hours_to_decision', 'share_decided_within_24h')),
    target REAL NOT NULL,
    note TEXT,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (unit, month, measure)
);
INSERT INTO process_targets_new SELECT unit, month, measure, target, note, updated_by, updated_at FROM process_targets;
DROP TABLE process_targets;
ALTER TABLE process_targets_new RENAME TO process_targets;
COMMIT;
PRAGMA foreign_keys = ON;
