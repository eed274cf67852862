DROP TABLE jobstream_runs;
DROP TABLE jobstream_state;
DROP INDEX openings_source_external;
DELETE FROM openings WHERE created_by = 'jobstream';
DELETE FROM users WHERE id = 'jobstream';
ALTER TABLE openings DROP COLUMN webpage_url;
ALTER TABLE openings DROP COLUMN external_id;
ALTER TABLE openings DROP COLUMN source;
