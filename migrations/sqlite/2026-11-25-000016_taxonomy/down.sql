DROP TABLE taxonomy_versions;
