//! The `platsa` command line: one file per command, each with its arguments and its `run`.
//! `main.rs` parses, loads the settings and calls [`run`]. `bench`, `load` and `eval` are
//! developer tools.

mod accountability;
mod backup;
mod bench;
mod eval;
mod import;
mod jobstream;
mod load;
mod migrate;
mod progress;
mod reindex;
mod report;
mod restore;
mod retention;
mod seed;
mod serve;
mod signals;
mod taxonomy;
mod token;

use clap::{Parser, Subcommand};

use crate::config::Settings;

#[derive(Parser)]
#[command(name = "platsa", version, about = "Job matching for municipal labour-market administrations")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the HTTP service (applies pending migrations first).
    Serve(serve::Args),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage API tokens.
    #[command(subcommand)]
    Token(token::Command),
    /// Rebuild the search indexes from the database (stop `serve` first: it holds them).
    Reindex,
    /// Monthly reports.
    #[command(subcommand)]
    Report(report::Command),
    /// Bulk import (see README: Importing a register).
    #[command(subcommand)]
    Import(import::Command),
    /// Retention: erase everyone past `retention.inactive_months` (as the daily run does).
    #[command(subcommand)]
    Retention(retention::Command),
    /// Platsbanken: read every public vacancy from JobStream (see README: Platsbanken).
    #[command(subcommand)]
    Jobstream(jobstream::Command),
    /// JobTech's taxonomy: read the newest version and put it in force (see README: Taxonomy).
    #[command(subcommand)]
    Taxonomy(taxonomy::Command),
    /// Signals: list the current ones, or push the new ones to `signals.webhook`.
    #[command(subcommand)]
    Signals(signals::Command),
    /// A consistent copy of the database while `serve` runs, optionally encrypted (see README:
    /// Backups).
    Backup(backup::Args),
    /// Restore a backup into an empty database (see README: Backups).
    Restore(restore::Args),
    /// Measure indexing and the candidates query on generated data (see README: Benchmark).
    Bench(bench::Args),
    /// Drive a running Platsa over HTTP with concurrent clients (see README: Benchmark).
    #[command(subcommand)]
    Load(load::Command),
    /// Score the candidate lists against graded judgements (see README: Evaluating the ranking).
    Eval(eval::Args),
    /// Add generated, realistic seekers and openings (for measurements and trials).
    Seed(seed::Args),
    /// Accountable ranking: the technical documentation (see README: Accountable ranking).
    #[command(subcommand)]
    Accountability(accountability::Command),
}

/// Runs one command to its end.
pub async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => serve::run(args, settings).await,
        Command::Accountability(command) => accountability::run(command, settings).await,
        Command::Migrate => migrate::run(settings).await,
        Command::Token(command) => token::run(command, settings).await,
        Command::Reindex => reindex::run(settings).await,
        Command::Report(command) => report::run(command, settings).await,
        Command::Import(command) => import::run(command, settings).await,
        Command::Retention(command) => retention::run(command, settings).await,
        Command::Jobstream(command) => jobstream::run(command, settings).await,
        Command::Taxonomy(command) => taxonomy::run(command, settings).await,
        Command::Signals(command) => signals::run(command, settings).await,
        Command::Backup(args) => backup::run(args, settings).await,
        Command::Restore(args) => restore::run(args, settings).await,
        Command::Bench(args) => bench::run(args, settings).await,
        Command::Load(command) => load::run(command).await,
        Command::Eval(args) => eval::run(args, settings).await,
        Command::Seed(args) => seed::run(args, settings).await,
    }
}
