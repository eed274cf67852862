-- Units (enheter) are managed: seekers, officers, placements and targets name a known unit,
-- so a misspelt name is refused instead of becoming a unit of its own. The units already in
-- use become the list.
CREATE TABLE units (
    name TEXT PRIMARY KEY NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
INSERT INTO units (name, active, created_at, updated_at)
SELECT DISTINCT name, TRUE, 0, 0 FROM (
    SELECT unit AS name FROM officers
    UNION SELECT unit FROM seekers WHERE unit IS NOT NULL
    UNION SELECT unit FROM placements WHERE unit IS NOT NULL
    UNION SELECT unit FROM targets
) AS used;

-- Every change of a monthly target: who set which value when (the targets row holds the
-- latest only).
CREATE TABLE target_changes (
    id TEXT PRIMARY KEY NOT NULL,
    unit TEXT NOT NULL,
    month TEXT NOT NULL,
    exits_to_work_or_studies INTEGER NOT NULL,
    note TEXT,
    changed_by TEXT NOT NULL REFERENCES users (id),
    changed_at BIGINT NOT NULL
);
CREATE INDEX target_changes_unit_month ON target_changes (unit, month, changed_at);
