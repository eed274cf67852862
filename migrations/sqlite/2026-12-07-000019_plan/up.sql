-- Runs outside diesel's transaction (metadata.toml): SQLite cannot change a CHECK in place,
-- so users and process_targets are rebuilt (SQLite's documented way: foreign keys off, one
-- transaction, new table, copy, drop, rename).
PRAGMA foreign_keys = OFF;
BEGIN;

-- A new role: the assistance case system, which reads only the plan status.
CREATE TABLE users_new (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'broker', 'officer', 'manager', 'employer', 'case_system')),
    employer_id TEXT REFERENCES employers (id),
    created_at BIGINT NOT NULL,
    CHECK ((role = 'employer') = (employer_id IS NOT NULL))
);
INSERT INTO users_new (id, name, role, employer_id, created_at) SELECT id, name, role, employer_id, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- Two new process measures with monthly targets.
CREATE TABLE process_targets_new (
    unit TEXT NOT NULL REFERENCES units (name),
    month TEXT NOT NULL,
    measure TEXT NOT NULL CHECK (measure IN ('median_hours_to_meeting', 'share_met_next_working_day',
        'no_show_share', 'proposals', 'share_contacted_14_days', 'median_days_to_first_proposal',
        'share_with_agreed_plan', 'attendance_rate')),
    target REAL NOT NULL,
    note TEXT,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (unit, month, measure)
);
INSERT INTO process_targets_new SELECT unit, month, measure, target, note, updated_by, updated_at FROM process_targets;
DROP TABLE process_targets;
ALTER TABLE process_targets_new RENAME TO process_targets;

-- The labour-market plan (arbetsmarknadsplan): every version is kept with who wrote it and
-- when; the current plan is a person's highest version. Two writers of the same version
-- clash on the unique key instead of one silently replacing the other.
CREATE TABLE plans (
    id TEXT PRIMARY KEY NOT NULL,
    seeker_id TEXT NOT NULL REFERENCES seekers (id),
    version INTEGER NOT NULL,
    goal TEXT NOT NULL CHECK (goal IN ('work', 'studies', 'other')),
    goal_text TEXT,
    occupation TEXT,
    hours_per_week REAL NOT NULL,
    start_date TEXT NOT NULL,
    review_date TEXT NOT NULL,
    agreed_on TEXT,
    agreed_how TEXT CHECK (agreed_how IN ('in_person', 'phone', 'digital')),
    note TEXT,
    by_user TEXT NOT NULL REFERENCES users (id),
    recorded_at BIGINT NOT NULL,
    UNIQUE (seeker_id, version)
);

-- What the person does, with hours: a placement, SFI, a course, job search. Weekdays are
-- ISO numbers (1 Monday … 7 Sunday), comma-separated; the planned hours of a day are the
-- week's hours spread evenly over them.
CREATE TABLE activities (
    id TEXT PRIMARY KEY NOT NULL,
    seeker_id TEXT NOT NULL REFERENCES seekers (id),
    kind TEXT NOT NULL CHECK (kind IN ('praktik', 'arbetstraning', 'extratjanst', 'studies', 'sfi', 'course',
                                       'job_search', 'meeting', 'other')),
    title TEXT,
    placement_id TEXT REFERENCES placements (id),
    provider TEXT,
    hours_per_week REAL NOT NULL,
    weekdays TEXT NOT NULL,
    from_date TEXT NOT NULL,
    to_date TEXT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at BIGINT NOT NULL
);
CREATE INDEX activities_seeker ON activities (seeker_id);
CREATE INDEX activities_group ON activities (kind, title);

-- Attendance per activity and day; one row per day (the latest word), every change kept in
-- attendance_changes. The seeker is repeated so a month's figures and an erasure need no join.
CREATE TABLE attendance (
    activity_id TEXT NOT NULL REFERENCES activities (id),
    day TEXT NOT NULL,
    seeker_id TEXT NOT NULL REFERENCES seekers (id),
    state TEXT NOT NULL CHECK (state IN ('present', 'absent_valid', 'absent_invalid')),
    hours REAL NOT NULL,
    note TEXT,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (activity_id, day)
);
CREATE INDEX attendance_seeker ON attendance (seeker_id, day);

CREATE TABLE attendance_changes (
    id TEXT PRIMARY KEY NOT NULL,
    activity_id TEXT NOT NULL REFERENCES activities (id),
    day TEXT NOT NULL,
    seeker_id TEXT NOT NULL REFERENCES seekers (id),
    state TEXT NOT NULL,
    hours REAL NOT NULL,
    note TEXT,
    changed_by TEXT NOT NULL REFERENCES users (id),
    changed_at BIGINT NOT NULL
);
CREATE INDEX attendance_changes_activity ON attendance_changes (activity_id, day);

-- An offer the person said no to (a job, an activity, a meeting), and whether the reason was
-- accepted: only an unjustified refusal may reduce assistance.
CREATE TABLE declines (
    id TEXT PRIMARY KEY NOT NULL,
    seeker_id TEXT NOT NULL REFERENCES seekers (id),
    what TEXT NOT NULL CHECK (what IN ('opening', 'activity', 'meeting')),
    ref_id TEXT,
    day TEXT NOT NULL,
    reason TEXT,
    justified BOOLEAN NOT NULL,
    by_user TEXT NOT NULL REFERENCES users (id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX declines_seeker ON declines (seeker_id, day);

COMMIT;
PRAGMA foreign_keys = ON;
