-- The decision clock's two measures take monthly targets too.
ALTER TABLE process_targets DROP CONSTRAINT process_targets_measure_check;
ALTER TABLE process_targets ADD CONSTRAINT process_targets_measure_check
    CHECK (measure IN ('median_hours_to_meeting', 'share_met_next_working_day', 'no_show_share', 'proposals',
        'share_contacted_14_days', 'median_days_to_first_proposal', 'share_with_agreed_plan', 'attendance_rate',
        'median_hours_to_decision', 'share_decided_within_24h'));
