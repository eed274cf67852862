ALTER TABLE seekers DROP COLUMN inferred;
