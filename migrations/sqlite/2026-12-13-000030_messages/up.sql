-- One message service: every text to a person or an employer is a row here, with the
-- rendered text, its state and every attempt. The text and the address are personal data:
-- erased with the person (privacy::erasure). A person with protected personal data has no
-- address stored: it is read from their record when the message is sent.
CREATE TABLE messages (
    id TEXT PRIMARY KEY NOT NULL,
    -- The record and purpose: one message per key, so a replayed request sends nothing twice.
    idempotency_key TEXT NOT NULL UNIQUE,
    -- Unguessable: the gateway's delivery report URL names it.
    delivery_key TEXT NOT NULL UNIQUE,
    template TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    seeker_id TEXT,
    application_id TEXT,
    opening_id TEXT,
    -- What it is about: a consent request, a booking, an offer.
    subject TEXT,
    address TEXT,
    body TEXT,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    gateway_id TEXT,
    next_attempt_at BIGINT NOT NULL,
    sent_at BIGINT,
    delivered_at BIGINT,
    failed_at BIGINT,
    created_at BIGINT NOT NULL,
    created_by TEXT
);
CREATE INDEX messages_due ON messages (state, next_attempt_at);
CREATE INDEX messages_seeker ON messages (seeker_id, created_at);
CREATE INDEX messages_application ON messages (application_id, created_at);
CREATE INDEX messages_opening ON messages (opening_id, created_at);
CREATE INDEX messages_subject ON messages (subject);

-- Every try to hand a message to its gateway, and every delivery report.
CREATE TABLE message_attempts (
    message_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    at BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT,
    PRIMARY KEY (message_id, n)
);

-- The admins' own wording of a template; a key not here uses the built-in Swedish text.
CREATE TABLE message_templates (
    key TEXT PRIMARY KEY NOT NULL,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT
);

-- The person answered STOP: no texts to many.
ALTER TABLE seekers ADD COLUMN sms_stopped_at BIGINT;
-- On the waiting list for an earlier meeting since; the one channel a person with protected
-- personal data chose.
ALTER TABLE applications ADD COLUMN wants_earlier_at BIGINT;
ALTER TABLE applications ADD COLUMN contact_channel TEXT;

-- A freed meeting offered to someone on the waiting list, held for them a while. One holder
-- a slot (the partial unique index), and a slot never offered twice to one application.
CREATE TABLE booking_offers (
    id TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    application_id TEXT NOT NULL,
    officer_id TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    state TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    answered_at BIGINT
);
CREATE UNIQUE INDEX booking_offers_one_holder ON booking_offers (officer_id, starts_at) WHERE state = 'held';
CREATE UNIQUE INDEX booking_offers_one_each ON booking_offers (application_id) WHERE state = 'held';
CREATE UNIQUE INDEX booking_offers_once ON booking_offers (application_id, officer_id, starts_at);
CREATE INDEX booking_offers_due ON booking_offers (state, expires_at);

-- Consent requests and reminders now go through messages; what the old loop still had
-- waiting is handed over by `platsa serve` at start (messages::adopt).
