DROP TABLE declines;
DROP TABLE attendance_changes;
DROP TABLE attendance;
DROP TABLE activities;
DROP TABLE plans;

DELETE FROM process_targets WHERE measure IN ('share_with_agreed_plan', 'attendance_rate');
ALTER TABLE process_targets DROP CONSTRAINT process_targets_measure_check;
ALTER TABLE process_targets ADD CONSTRAINT process_targets_measure_check
    CHECK (measure IN ('median_hours_to_meeting', 'share_met_next_working_day', 'no_show_share', 'proposals',
        'share_contacted_14_days', 'median_days_to_first_proposal'));

-- A case-system user cannot be kept under the old roles: its tokens go with it.
DELETE FROM web_sessions WHERE token_id IN (SELECT t.id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.role = 'case_system');
DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users WHERE role = 'case_system');
DELETE FROM user_units WHERE user_id IN (SELECT id FROM users WHERE role = 'case_system');
DELETE FROM users WHERE role = 'case_system';
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'broker', 'officer', 'manager', 'employer'));
