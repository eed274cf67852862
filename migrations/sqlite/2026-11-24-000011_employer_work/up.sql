-- Working with employers: whom to talk to, a shortlist per opening before anyone is
-- proposed, the person's consent before anything is shared with the employer, and what the
-- employer answers about a presented person.

CREATE TABLE employer_contacts (
    id TEXT PRIMARY KEY NOT NULL,
    employer_id TEXT NOT NULL REFERENCES employers (id),
    name TEXT NOT NULL,
    role TEXT,
    phone TEXT,
    email TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX employer_contacts_employer ON employer_contacts (employer_id, name);

-- The broker responsible for an opening ("Mina annonser").
ALTER TABLE openings ADD COLUMN broker_id TEXT REFERENCES users (id);

-- People a broker considers for an opening, before and besides proposing. The consent
-- columns hold the current state; consent_events every change.
CREATE TABLE shortlist (
    opening_id TEXT NOT NULL REFERENCES openings (id),
    seeker_id TEXT NOT NULL REFERENCES seekers (id),
    status TEXT NOT NULL CHECK (status IN ('considering', 'contacted', 'suitable', 'not_suitable', 'not_interested')),
    note TEXT,
    added_by TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    consent_state TEXT CHECK (consent_state IN ('requested', 'given', 'declined', 'expired', 'withdrawn')),
    consent_deadline TEXT,
    consent_token_hash TEXT UNIQUE,
    PRIMARY KEY (opening_id, seeker_id)
);
CREATE INDEX shortlist_seeker ON shortlist (seeker_id);

CREATE TABLE consent_events (
    id TEXT PRIMARY KEY NOT NULL,
    opening_id TEXT NOT NULL,
    seeker_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('requested', 'given', 'declined', 'expired', 'withdrawn')),
    how TEXT CHECK (how IN ('phone', 'in_person', 'digital', 'letter')),
    note TEXT,
    -- Who recorded it; NULL when the person answered through their link.
    by_user TEXT REFERENCES users (id),
    at BIGINT NOT NULL,
    FOREIGN KEY (opening_id, seeker_id) REFERENCES shortlist (opening_id, seeker_id)
);
CREATE INDEX consent_events_pair ON consent_events (opening_id, seeker_id, at);

-- Consent requests to send through the message webhook, retried until delivered.
CREATE TABLE consent_messages (
    id TEXT PRIMARY KEY NOT NULL,
    opening_id TEXT NOT NULL,
    seeker_id TEXT NOT NULL,
    link TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX consent_messages_due ON consent_messages (status, next_attempt_at);

CREATE TABLE employer_feedback (
    id TEXT PRIMARY KEY NOT NULL,
    placement_id TEXT NOT NULL REFERENCES placements (id),
    answer TEXT NOT NULL CHECK (answer IN ('suitable', 'considering', 'not_suitable', 'hired')),
    note TEXT,
    by_user TEXT NOT NULL REFERENCES users (id),
    at BIGINT NOT NULL
);
CREATE INDEX employer_feedback_placement ON employer_feedback (placement_id, at);
