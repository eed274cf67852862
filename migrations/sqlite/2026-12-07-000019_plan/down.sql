PRAGMA foreign_keys = OFF;
BEGIN;
DROP TABLE declines;
DROP TABLE attendance_changes;
DROP TABLE attendance;
DROP TABLE activities;
DROP TABLE plans;

DELETE FROM process_targets WHERE measure IN ('share_with_agreed_plan', 'attendance_rate');
CREATE TABLE process_targets_old (
    unit TEXT NOT NULL REFERENCES units (name),
    month TEXT NOT NULL,
    measure TEXT NOT NULL CHECK (measure IN ('median_hours_to_meeting', 'share_met_next_working_day',
        'no_show_share', 'proposals', 'share_contacted_14_days', 'median_days_to_first_proposal')),
    target REAL NOT NULL,
    note TEXT,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (unit, month, measure)
);
INSERT INTO process_targets_old SELECT unit, month, measure, target, note, updated_by, updated_at FROM process_targets;
DROP TABLE process_targets;
ALTER TABLE process_targets_old RENAME TO process_targets;

-- A case-system user cannot be kept under the old roles: its tokens go with it.
DELETE FROM web_sessions WHERE token_id IN (SELECT t.id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.role = 'case_system');
DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users WHERE role = 'case_system');
DELETE FROM user_units WHERE user_id IN (SELECT id FROM users WHERE role = 'case_system');
DELETE FROM users WHERE role = 'case_system';
CREATE TABLE users_old (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'broker', 'officer', 'manager', 'employer')),
    employer_id TEXT REFERENCES employers (id),
    created_at BIGINT NOT NULL,
    CHECK ((role = 'employer') = (employer_id IS NOT NULL))
);
INSERT INTO users_old (id, name, role, employer_id, created_at) SELECT id, name, role, employer_id, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_old RENAME TO users;
COMMIT;
PRAGMA foreign_keys = ON;
