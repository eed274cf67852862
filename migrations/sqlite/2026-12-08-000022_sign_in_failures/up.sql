-- Failed sign-ins (an unknown token on the sign-in page or the API) per client address and
-- hour: many from one address become a signal for admins. Kept 30 days.
CREATE TABLE sign_in_failures (
    address TEXT NOT NULL,
    hour BIGINT NOT NULL,
    failures INTEGER NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (address, hour)
);
CREATE INDEX sign_in_failures_hour ON sign_in_failures (hour);
