DROP TABLE seeker_returns;
DROP TABLE signal_deliveries;
DROP TABLE process_target_changes;
DROP TABLE process_targets;
