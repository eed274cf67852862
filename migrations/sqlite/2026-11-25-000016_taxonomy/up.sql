-- Versions of JobTech's taxonomy read by `platsa taxonomy update`: the terms that replace
-- the compiled-in reference data (SSYK groups, occupation names and substitutability,
-- skills, municipalities' names), and what the update changed. The newest row is in force;
-- with none, the compiled-in copy is.
CREATE TABLE taxonomy_versions (
    version BIGINT PRIMARY KEY NOT NULL,
    fetched_at BIGINT NOT NULL,
    source TEXT NOT NULL,
    terms TEXT NOT NULL,
    report TEXT NOT NULL
);
