-- A unit's monthly target (EOR): how many shall leave assistance for work or studies.
CREATE TABLE targets (
    unit TEXT NOT NULL,
    month TEXT NOT NULL, -- YYYY-MM
    exits_to_work_or_studies INTEGER NOT NULL,
    note TEXT,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (unit, month)
);

-- Each push of a unit's monthly figures to the process-metrics endpoint. One row per unit
-- and month: the idempotency key the receiver de-duplicates on never changes.
CREATE TABLE report_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    unit TEXT NOT NULL,
    month TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (unit, month)
);
