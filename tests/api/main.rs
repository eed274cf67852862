//! One integration-test binary (short link times), a module per capability.

mod agenda;
mod booking;
mod browser;
mod employers;
mod find;
mod foundation;
mod helpers;
mod imports;
mod intake;
mod jobstream;
mod journal;
mod matching;
mod openings;
mod placements;
mod privacy;
mod processes;
mod ranking;
mod reports;
mod scale_out;
mod search;
mod seekers;
mod taxonomy;
mod taxonomy_update;
mod typed_core;
mod units;
mod web;
