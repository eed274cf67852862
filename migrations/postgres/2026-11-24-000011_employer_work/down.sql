DROP TABLE employer_feedback;
DROP TABLE consent_messages;
DROP TABLE consent_events;
DROP TABLE shortlist;
ALTER TABLE openings DROP COLUMN broker_id;
DROP TABLE employer_contacts;
