-- The assistance decision on an application, as the case system (or an officer) reports it:
-- one per application (a re-post of the same decision changes nothing). Codes and times
-- only: the reasons stay in the case system.
CREATE TABLE decisions (
    application_id TEXT PRIMARY KEY NOT NULL,
    decided_at BIGINT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('approved', 'partly_approved', 'rejected', 'withdrawn', 'other')),
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX decisions_decided ON decisions (decided_at);
