-- Need-to-know: the units a staff member works in. Staff with units read the records of
-- their units' people; another unit's person needs a stated reason, kept in the audit log.
-- Staff without a unit (a municipality with one office) read every record, as before.
CREATE TABLE user_units (
    user_id TEXT NOT NULL,
    unit TEXT NOT NULL,
    PRIMARY KEY (user_id, unit)
);
ALTER TABLE audit_log ADD COLUMN reason TEXT;
