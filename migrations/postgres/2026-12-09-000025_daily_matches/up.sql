-- "Dagens förslag": the best candidates for an open opening who are on no list of it yet,
-- put in front of their broker. One row per opening and person, ever: a dismissed suggestion
-- is not made again. Ids, a score and codes only.
CREATE TABLE daily_matches (
    opening_id TEXT NOT NULL,
    seeker_id TEXT NOT NULL,
    broker_id TEXT NOT NULL,
    day TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    state TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'shortlisted', 'dismissed')),
    dismiss_reason TEXT CHECK (dismiss_reason IN ('not_suitable', 'not_available', 'already_in_contact', 'other')),
    created_at BIGINT NOT NULL,
    acted_at BIGINT,
    PRIMARY KEY (opening_id, seeker_id)
);
CREATE INDEX daily_matches_broker ON daily_matches (broker_id, day);
CREATE INDEX daily_matches_seeker ON daily_matches (seeker_id);

-- Which openings were matched on which day: each process claims an opening's day here, so N
-- serve processes match each opening once a day.
CREATE TABLE matched_openings (
    opening_id TEXT NOT NULL,
    day TEXT NOT NULL,
    matched_at BIGINT NOT NULL,
    PRIMARY KEY (opening_id, day)
);
