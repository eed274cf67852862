DROP TABLE reminders;
DROP TABLE bookings;
DROP TABLE applications;
DROP TABLE officer_absences;
DROP TABLE officers;
