//! Platsa: job matching for Swedish municipal labour-market administrations.

// The hand-written OpenAPI document is one large `json!` literal.
#![recursion_limit = "2048"]

pub mod audit;
pub mod auth;
pub mod bench;
pub mod booking;
pub mod caseload;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod employers;
pub mod error;
pub mod eval;
pub mod export;
pub mod followup;
pub mod http;
pub mod ident;
pub mod imports;
pub mod jobstream;
pub mod journal;
pub mod json;
pub mod load;
pub mod matching;
pub mod openapi;
pub mod openings;
pub mod ops;
pub mod placements;
pub mod processes;
pub mod reference;
pub mod reports;
pub mod retention;
pub mod search;
pub mod seekers;
pub mod shortlist;
pub mod signals;
pub mod startup;
pub mod state;
pub mod taxonomy;
pub mod telemetry;
pub mod text;
pub mod units;
pub mod vocabulary;
pub mod web;
pub mod webhook;
