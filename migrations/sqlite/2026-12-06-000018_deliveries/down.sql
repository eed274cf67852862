ALTER TABLE consent_messages ADD COLUMN status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed'));
ALTER TABLE consent_messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE consent_messages ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE consent_messages ADD COLUMN last_error TEXT;
UPDATE consent_messages SET
    status = (SELECT d.status FROM deliveries d WHERE d.id = 'consent:' || consent_messages.id),
    attempts = (SELECT d.attempts FROM deliveries d WHERE d.id = 'consent:' || consent_messages.id),
    next_attempt_at = (SELECT d.next_attempt_at FROM deliveries d WHERE d.id = 'consent:' || consent_messages.id),
    last_error = (SELECT d.last_error FROM deliveries d WHERE d.id = 'consent:' || consent_messages.id)
WHERE EXISTS (SELECT 1 FROM deliveries d WHERE d.id = 'consent:' || consent_messages.id AND d.status <> 'cancelled');
CREATE INDEX consent_messages_due ON consent_messages (status, next_attempt_at);

CREATE TABLE reminders (
    booking_id TEXT PRIMARY KEY NOT NULL REFERENCES bookings (id),
    due_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX reminders_due ON reminders (status, next_attempt_at);
INSERT INTO reminders (booking_id, due_at, status, attempts, last_error, next_attempt_at, delivered_at)
SELECT subject, created_at, status, attempts, last_error, next_attempt_at, delivered_at
FROM deliveries WHERE channel = 'reminder';

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
INSERT INTO report_deliveries (id, unit, month, idempotency_key, payload, status, attempts, last_error,
                               next_attempt_at, delivered_at, created_at)
SELECT id, subject, substr(idempotency_key, length(idempotency_key) - 6), idempotency_key, payload, status, attempts,
       last_error, next_attempt_at, delivered_at, created_at
FROM deliveries WHERE channel = 'report' AND status <> 'cancelled';

CREATE TABLE signal_deliveries (
    signal_key TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX signal_deliveries_due ON signal_deliveries (status, next_attempt_at);
INSERT INTO signal_deliveries (signal_key, kind, payload, status, attempts, last_error, next_attempt_at,
                               delivered_at, created_at)
SELECT idempotency_key, subject, payload, status, attempts, last_error, next_attempt_at, delivered_at, created_at
FROM deliveries WHERE channel = 'signal' AND status <> 'cancelled';

DROP TABLE deliveries;
