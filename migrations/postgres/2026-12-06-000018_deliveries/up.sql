-- One delivery table for everything Platsa sends out (meeting reminders, consent requests,
-- report and signal pushes): one loop delivers it, with one backoff and one rule for the
-- Idempotency-Key, and /readyz reads what is pending or failing from here. `subject` is the
-- record a delivery is about (a booking, a consent message, a unit, a signal's kind);
-- `payload` is the body where it is fixed when queued, empty where it is composed when sent
-- (reminders and consent requests: the contact details are read then, never stored here).
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('reminder', 'consent', 'report', 'signal')),
    idempotency_key TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at BIGINT NOT NULL,
    delivered_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (status, channel, next_attempt_at);

INSERT INTO deliveries (id, channel, idempotency_key, subject, payload, status, attempts, last_error,
                        next_attempt_at, delivered_at, created_at)
SELECT 'reminder:' || booking_id, 'reminder', 'platsa-reminder:' || booking_id, booking_id, '', status, attempts,
       last_error, next_attempt_at, delivered_at, due_at
FROM reminders;

INSERT INTO deliveries (id, channel, idempotency_key, subject, payload, status, attempts, last_error,
                        next_attempt_at, delivered_at, created_at)
SELECT 'consent:' || id, 'consent', 'platsa-consent:' || id, id, '',
       CASE status WHEN 'failed' THEN 'pending' ELSE status END, attempts, last_error, next_attempt_at,
       CASE status WHEN 'delivered' THEN next_attempt_at END, created_at
FROM consent_messages;

INSERT INTO deliveries (id, channel, idempotency_key, subject, payload, status, attempts, last_error,
                        next_attempt_at, delivered_at, created_at)
SELECT id, 'report', idempotency_key, unit, payload, status, attempts, last_error, next_attempt_at, delivered_at,
       created_at
FROM report_deliveries;

INSERT INTO deliveries (id, channel, idempotency_key, subject, payload, status, attempts, last_error,
                        next_attempt_at, delivered_at, created_at)
SELECT 'signal:' || signal_key, 'signal', signal_key, kind, payload, status, attempts, last_error, next_attempt_at,
       delivered_at, created_at
FROM signal_deliveries;

DROP TABLE reminders;
DROP TABLE report_deliveries;
DROP TABLE signal_deliveries;
DROP INDEX consent_messages_due;
ALTER TABLE consent_messages DROP COLUMN status;
ALTER TABLE consent_messages DROP COLUMN attempts;
ALTER TABLE consent_messages DROP COLUMN next_attempt_at;
ALTER TABLE consent_messages DROP COLUMN last_error;
