DROP INDEX officers_user;
ALTER TABLE officers DROP COLUMN user_id;
