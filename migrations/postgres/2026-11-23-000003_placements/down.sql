DROP TABLE placement_events;
DROP TABLE placements;
