-- The intake handoff. An application carries the applicant's own details and is linked to a
-- seeker only when staff confirm the person's identity at the meeting, never by
-- personnummer alone; a booked meeting carries a key of the applicant's personnummer, so a
-- person holds one booked meeting at a time. Seekers can be paused until a date, with a
-- reason; an officer sits at an office with an address the applicant is told.
PRAGMA foreign_keys = OFF;
BEGIN;
ALTER TABLE seekers ADD COLUMN paused_until TEXT;
ALTER TABLE seekers ADD COLUMN pause_reason TEXT;
ALTER TABLE officers ADD COLUMN address TEXT;
CREATE TABLE applications_new (
    id TEXT PRIMARY KEY NOT NULL,
    seeker_id TEXT REFERENCES seekers (id),
    personnummer TEXT,
    first_name TEXT,
    last_name TEXT,
    email TEXT,
    phone TEXT,
    situation TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    next_day_full BOOLEAN NOT NULL,
    offered_day TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    identity_confirmed_at BIGINT,
    identity_confirmed_by TEXT REFERENCES users (id)
);
-- Applications made before this were linked by personnummer when they arrived: they keep
-- that link, and the applicant's details are copied from the seeker.
INSERT INTO applications_new
    (id, seeker_id, personnummer, first_name, last_name, email, phone, situation, token_hash,
     next_day_full, offered_day, created_at)
SELECT a.id, a.seeker_id, s.personnummer, s.first_name, s.last_name, s.email, s.phone, a.situation,
       a.token_hash, a.next_day_full, a.offered_day, a.created_at
FROM applications a LEFT JOIN seekers s ON s.id = a.seeker_id;
DROP TABLE applications;
ALTER TABLE applications_new RENAME TO applications;
CREATE INDEX applications_created ON applications (created_at);
CREATE INDEX applications_personnummer ON applications (personnummer);
CREATE INDEX applications_seeker ON applications (seeker_id);
ALTER TABLE bookings ADD COLUMN applicant_key TEXT;
CREATE UNIQUE INDEX bookings_one_per_applicant ON bookings (applicant_key) WHERE status = 'booked';
COMMIT;
PRAGMA foreign_keys = ON;
