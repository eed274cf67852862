DROP TABLE matched_openings;
DROP TABLE daily_matches;
