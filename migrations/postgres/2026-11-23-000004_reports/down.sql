DROP TABLE report_deliveries;
DROP TABLE targets;
