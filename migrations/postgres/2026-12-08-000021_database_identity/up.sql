-- Which database this is: a random id made once (by the first process to open it). The
-- search index records it with each commit, so an index built from another database (a
-- recreated one) is rebuilt instead of trusted.
CREATE TABLE database_identity (
    id TEXT PRIMARY KEY NOT NULL,
    created_at BIGINT NOT NULL
);
