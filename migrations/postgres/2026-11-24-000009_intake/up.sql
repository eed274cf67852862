-- The intake handoff. An application carries the applicant's own details and is linked to a
-- seeker only when staff confirm the person's identity at the meeting, never by
-- personnummer alone; a booked meeting carries a key of the applicant's personnummer, so a
-- person holds one booked meeting at a time. Seekers can be paused until a date, with a
-- reason; an officer sits at an office with an address the applicant is told.
ALTER TABLE seekers ADD COLUMN paused_until TEXT;
ALTER TABLE seekers ADD COLUMN pause_reason TEXT;
ALTER TABLE officers ADD COLUMN address TEXT;
ALTER TABLE applications ALTER COLUMN seeker_id DROP NOT NULL;
ALTER TABLE applications ADD COLUMN personnummer TEXT;
ALTER TABLE applications ADD COLUMN first_name TEXT;
ALTER TABLE applications ADD COLUMN last_name TEXT;
ALTER TABLE applications ADD COLUMN email TEXT;
ALTER TABLE applications ADD COLUMN phone TEXT;
ALTER TABLE applications ADD COLUMN identity_confirmed_at BIGINT;
ALTER TABLE applications ADD COLUMN identity_confirmed_by TEXT REFERENCES users (id);
-- Applications made before this were linked by personnummer when they arrived: they keep
-- that link, and the applicant's details are copied from the seeker.
UPDATE applications a SET personnummer = s.personnummer, first_name = s.first_name,
    last_name = s.last_name, email = s.email, phone = s.phone
FROM seekers s WHERE s.id = a.seeker_id;
CREATE INDEX applications_personnummer ON applications (personnummer);
CREATE INDEX applications_seeker ON applications (seeker_id);
ALTER TABLE bookings ADD COLUMN applicant_key TEXT;
CREATE UNIQUE INDEX bookings_one_per_applicant ON bookings (applicant_key) WHERE status = 'booked';
