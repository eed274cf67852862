-- Instants are unix seconds (UTC) in BIGINT; dates are 'YYYY-MM-DD' text. Both sort and
-- compare the same way on SQLite and PostgreSQL.
CREATE TABLE employers (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    organization_number TEXT NOT NULL UNIQUE,
    municipal BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

-- Staff and employer users; a user may hold several tokens over time.
CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'broker', 'officer', 'manager', 'employer')),
    employer_id TEXT REFERENCES employers (id),
    created_at BIGINT NOT NULL,
    CHECK ((role = 'employer') = (employer_id IS NOT NULL))
);

-- Only the SHA-256 of a token is kept; the token itself is shown once.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
