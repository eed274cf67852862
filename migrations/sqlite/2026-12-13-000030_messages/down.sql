DROP TABLE booking_offers;
ALTER TABLE applications DROP COLUMN contact_channel;
ALTER TABLE applications DROP COLUMN wants_earlier_at;
ALTER TABLE seekers DROP COLUMN sms_stopped_at;
DROP TABLE message_templates;
DROP TABLE message_attempts;
DROP TABLE messages;
