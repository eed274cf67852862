-- Browser sessions of staff who signed in with their token. The cookie holds a random id;
-- only its SHA-256 is kept. A session lives only as long as its token: revoking the token
-- ends every session signed in with it (the lookup joins on api_tokens.revoked_at).
CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    token_id TEXT NOT NULL REFERENCES api_tokens (id),
    -- The synchronizer token every form of the session must carry (CSRF).
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_token ON web_sessions (token_id);
