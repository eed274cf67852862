-- The broker's journal about a seeker: notes, calls, messages and meetings, with the next
-- planned contact. Erasure blanks the text and keeps the anonymous facts (kind, when).
CREATE TABLE journal_entries (
    id TEXT PRIMARY KEY NOT NULL,
    seeker_id TEXT NOT NULL REFERENCES seekers (id),
    kind TEXT NOT NULL,
    text TEXT,
    at BIGINT NOT NULL,
    next_contact_on TEXT,
    by_user TEXT NOT NULL REFERENCES users (id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX journal_entries_seeker ON journal_entries (seeker_id, at);
CREATE INDEX journal_entries_next_contact ON journal_entries (next_contact_on) WHERE next_contact_on IS NOT NULL;
