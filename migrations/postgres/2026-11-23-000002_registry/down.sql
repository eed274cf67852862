DROP TABLE outbox;
DROP TABLE audit_log;
DROP TABLE idempotency_keys;
DROP TABLE openings;
DROP TABLE seekers;
