-- Sign-ins under way last ten minutes: the table is made again to take Mina sidor's.
DROP TABLE oidc_logins;
CREATE TABLE oidc_logins (
    state_hash TEXT PRIMARY KEY NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('staff', 'citizen', 'mina_sidor')),
    browser_hash TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oidc_logins_expires ON oidc_logins (expires_at);

-- Mina sidor: an e-legitimation session is for one purpose (the application form, or the
-- person's own pages), so one cannot stand in for the other.
ALTER TABLE eid_sessions ADD COLUMN purpose TEXT NOT NULL DEFAULT 'apply' CHECK (purpose IN ('apply', 'mina_sidor'));

-- A person's request for review of a decision or a mark ("Begär omprövning"): a signal for
-- their unit's manager until answered by the day it is due. The text and the answer are
-- erased with the person.
CREATE TABLE reviews (
    id TEXT PRIMARY KEY NOT NULL,
    seeker_id TEXT NOT NULL,
    unit TEXT,
    about TEXT NOT NULL CHECK (about IN ('plan', 'decline', 'not_suitable', 'attendance', 'missed_proposal', 'other')),
    ref_id TEXT,
    text TEXT,
    created_at BIGINT NOT NULL,
    due_on TEXT NOT NULL,
    answer TEXT,
    answered_at BIGINT,
    answered_by TEXT
);
CREATE INDEX reviews_seeker ON reviews (seeker_id, created_at);
CREATE INDEX reviews_open ON reviews (answered_at, due_on);
