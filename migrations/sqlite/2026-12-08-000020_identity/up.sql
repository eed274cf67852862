-- Sign-in through OpenID providers: staff with the municipality's account, applicants with
-- e-legitimation.

-- A staff member who signs in through the municipality's provider is found again by the
-- provider and its subject (never by name or e-mail, which change).
ALTER TABLE users ADD COLUMN oidc_issuer TEXT;
ALTER TABLE users ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX users_oidc ON users (oidc_issuer, oidc_subject);

-- A session belongs to a user, and to a token only when signed in with one (revoking the
-- token ends it). Sessions are short-lived: the upgrade signs everyone out.
DROP TABLE web_sessions;
CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    token_id TEXT REFERENCES api_tokens (id),
    signed_in_with TEXT NOT NULL CHECK (signed_in_with IN ('token', 'oidc')),
    -- The synchronizer token every form of the session must carry (CSRF).
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_token ON web_sessions (token_id);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- A sign-in under way, between the redirect to the provider and its answer. Kept in the
-- database so the answer may reach any serve process; taken once (a replayed answer finds
-- nothing), and only by the browser that started it (browser_hash).
CREATE TABLE oidc_logins (
    state_hash TEXT PRIMARY KEY NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('staff', 'citizen')),
    browser_hash TEXT NOT NULL,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oidc_logins_expires ON oidc_logins (expires_at);

-- An applicant identified with e-legitimation, for the minutes it takes to apply. Only the
-- cookie's hash is kept; the personnummer and name are erased with the person.
CREATE TABLE eid_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    personnummer TEXT,
    given_name TEXT,
    family_name TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX eid_sessions_expires ON eid_sessions (expires_at);

-- How the applicant was identified when applying.
ALTER TABLE applications ADD COLUMN identified_by TEXT NOT NULL DEFAULT 'none' CHECK (identified_by IN ('eid', 'none'));

-- Protected personal data (skyddade personuppgifter): such an applicant is offered meetings
-- only with officers cleared for it.
ALTER TABLE officers ADD COLUMN protected_identity BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE applications ADD COLUMN protected_identity BOOLEAN NOT NULL DEFAULT false;
