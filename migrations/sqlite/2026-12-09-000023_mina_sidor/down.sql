DROP TABLE reviews;
ALTER TABLE eid_sessions DROP COLUMN purpose;
DROP TABLE oidc_logins;
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
