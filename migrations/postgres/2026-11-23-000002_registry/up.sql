-- Lists (occupations, skills, languages, licences, requirements) are JSON text: they are
-- read whole, and searched through the tantivy index, never filtered in SQL.
CREATE TABLE seekers (
    id TEXT PRIMARY KEY NOT NULL,
    personnummer TEXT UNIQUE, -- NULL once erased
    first_name TEXT,
    last_name TEXT,
    email TEXT,
    phone TEXT,
    municipality_code TEXT NOT NULL,
    occupations TEXT NOT NULL DEFAULT '[]',
    skills TEXT NOT NULL DEFAULT '[]',
    languages TEXT NOT NULL DEFAULT '[]',
    driving_licences TEXT NOT NULL DEFAULT '[]',
    available_from TEXT,
    max_commute_km INTEGER,
    summary TEXT,
    unit TEXT,
    broker_id TEXT REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('active', 'paused', 'placed', 'exited')),
    exit_reason TEXT,
    exit_date TEXT,
    registered_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_proposed_at BIGINT,
    erased_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX seekers_broker ON seekers (broker_id);
CREATE INDEX seekers_unit ON seekers (unit);

CREATE TABLE openings (
    id TEXT PRIMARY KEY NOT NULL,
    employer_id TEXT NOT NULL REFERENCES employers (id),
    headline TEXT NOT NULL,
    description TEXT NOT NULL,
    occupation TEXT NOT NULL,
    municipality_code TEXT NOT NULL,
    workplace_address TEXT NOT NULL,
    number_of_vacancies INTEGER NOT NULL,
    filled_vacancies INTEGER NOT NULL DEFAULT 0,
    employment_type TEXT NOT NULL,
    must_have TEXT NOT NULL,
    nice_to_have TEXT NOT NULL,
    application_deadline TEXT,
    start_date TEXT,
    scope_min INTEGER,
    scope_max INTEGER,
    status TEXT NOT NULL CHECK (status IN ('open', 'filled', 'closed')),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX openings_employer ON openings (employer_id, created_at);

-- A retried POST with the same key and body gets the first answer back.
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response_status INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (scope, idem_key)
);

-- Every staff read of a seeker record.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    at BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    role TEXT NOT NULL,
    seeker_id TEXT NOT NULL,
    action TEXT NOT NULL
);
CREATE INDEX audit_log_seeker ON audit_log (seeker_id, at);

-- Written in the same transaction as the change it announces, under an advisory lock so ids
-- are handed out in commit order; each process's indexer keeps its own position (in the
-- index's commit payload), so rows are kept for other processes.
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
