DROP TABLE target_changes;
DROP TABLE units;
