DROP INDEX placements_one_open_without_opening;
DROP INDEX users_email;
ALTER TABLE users DROP COLUMN email;
