//! Search as a capability: what a seeker's and an opening's documents hold, what the indexer
//! applies from the outbox, and the hits the search API and pages show. The tantivy kit
//! underneath (schema, indexes, queries, the indexer's thread) is `index`.

pub mod documents;
pub mod hits;
pub mod http;
pub mod indexer;
