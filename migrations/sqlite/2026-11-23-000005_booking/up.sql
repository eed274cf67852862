-- Arbetsmarknadssekreterare and the hours they meet applicants.
CREATE TABLE officers (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    unit TEXT NOT NULL,
    meeting_minutes INTEGER NOT NULL,
    weekly_hours TEXT NOT NULL, -- JSON: {"mon": [["08:30","12:00"], …], …}, local time
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE officer_absences (
    id TEXT PRIMARY KEY NOT NULL,
    officer_id TEXT NOT NULL REFERENCES officers (id),
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL,
    reason TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX officer_absences_officer ON officer_absences (officer_id, from_date);

-- A digital application for support; the booking token (shown once) is stored hashed.
CREATE TABLE applications (
    id TEXT PRIMARY KEY NOT NULL,
    seeker_id TEXT NOT NULL REFERENCES seekers (id),
    situation TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    next_day_full BOOLEAN NOT NULL,
    offered_day TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX applications_created ON applications (created_at);

CREATE TABLE bookings (
    id TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    officer_id TEXT NOT NULL REFERENCES officers (id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'held', 'no_show')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- The guarantees live here, not in the application: one meeting per officer and start,
-- and one booked meeting per application.
CREATE UNIQUE INDEX bookings_officer_start ON bookings (officer_id, starts_at) WHERE status <> 'cancelled';
CREATE UNIQUE INDEX bookings_one_per_application ON bookings (application_id) WHERE status = 'booked';
CREATE INDEX bookings_officer_time ON bookings (officer_id, starts_at);

-- The reminder webhook: one row per meeting, retried until delivered.
CREATE TABLE reminders (
    booking_id TEXT PRIMARY KEY NOT NULL REFERENCES bookings (id),
    due_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX reminders_due ON reminders (status, next_attempt_at);
