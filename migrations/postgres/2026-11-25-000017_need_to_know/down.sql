ALTER TABLE audit_log DROP COLUMN reason;
DROP TABLE user_units;
