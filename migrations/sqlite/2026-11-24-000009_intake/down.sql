PRAGMA foreign_keys = OFF;
BEGIN;
DROP INDEX bookings_one_per_applicant;
ALTER TABLE bookings DROP COLUMN applicant_key;
DELETE FROM bookings WHERE application_id IN (SELECT id FROM applications WHERE seeker_id IS NULL);
DELETE FROM applications WHERE seeker_id IS NULL;
CREATE TABLE applications_old (
    id TEXT PRIMARY KEY NOT NULL,
    seeker_id TEXT NOT NULL REFERENCES seekers (id),
    situation TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    next_day_full BOOLEAN NOT NULL,
    offered_day TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO applications_old SELECT id, seeker_id, situation, token_hash, next_day_full, offered_day, created_at FROM applications;
DROP TABLE applications;
ALTER TABLE applications_old RENAME TO applications;
CREATE INDEX applications_created ON applications (created_at);
ALTER TABLE officers DROP COLUMN address;
ALTER TABLE seekers DROP COLUMN pause_reason;
ALTER TABLE seekers DROP COLUMN paused_until;
COMMIT;
PRAGMA foreign_keys = ON;
