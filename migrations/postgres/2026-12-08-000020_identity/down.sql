ALTER TABLE applications DROP COLUMN protected_identity;
ALTER TABLE officers DROP COLUMN protected_identity;
ALTER TABLE applications DROP COLUMN identified_by;
DROP TABLE eid_sessions;
DROP TABLE oidc_logins;
DROP TABLE web_sessions;
CREATE TABLE web_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    token_id TEXT NOT NULL REFERENCES api_tokens (id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_token ON web_sessions (token_id);
DROP INDEX users_oidc;
ALTER TABLE users DROP COLUMN oidc_subject;
ALTER TABLE users DROP COLUMN oidc_issuer;
