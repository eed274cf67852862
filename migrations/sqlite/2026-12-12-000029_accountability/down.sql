DROP TABLE exposure_runs;
DROP TABLE exposure_days;
ALTER TABLE placements DROP COLUMN ranking_log_id;
ALTER TABLE placements DROP COLUMN list_rank;
DROP TABLE ranking_log_shown;
DROP TABLE ranking_log;
DROP TABLE ranking_versions;
