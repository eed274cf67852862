//! `platsa accountability document`: the technical documentation of the ranking, written from
//! the database, the index and the evaluation of the shipped sets.

use anyhow::Context;
use clap::Subcommand;

use crate::accountability::document::{self, Lang};
use crate::config::Settings;
use crate::documentation::{Format, eval_dir, render, shipped_eval};
use crate::index::{Lookup, SearchIndex};
use crate::state::Storage;

#[derive(Subcommand)]
pub enum Command {
    /// Write the documentation (as GET /api/v1/accountability/document answers it).
    Document {
        /// `markdown` or `html`.
        #[arg(long, default_value = "markdown", value_parser = parse_format)]
        format: Format,
        /// `both` (Swedish, then English), `sv` or `en`.
        #[arg(long, default_value = "both", value_parser = parse_lang)]
        lang: Lang,
        /// The file to write; standard output when left out.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| "markdown or html".into())
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| "both, sv or en".into())
}

pub async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    let Command::Document { format, lang, out } = command;
    let storage = Storage::open(&settings).await?;
    // The index `serve` keeps current; read, never written here.
    let index = SearchIndex::open(&settings.index_dir).context("opening the search index")?;
    if index.seekers.needs_rebuild.load(std::sync::atomic::Ordering::Relaxed) {
        anyhow::bail!("the search index is missing or outdated: start `platsa serve` or run `platsa reindex` first");
    }
    let (weights, dir) = (settings.matching, eval_dir(&settings.index_dir));
    let eval = tokio::task::spawn_blocking(move || shipped_eval(&weights, &dir)).await??;
    let (now, accountability) = (storage.clock.now_ts(), settings.accountability);
    let facts = crate::db::run(&storage.pool, move |c| {
        document::facts(c, Lookup { index: &index, weights: &weights, now }, accountability, eval)
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (text, _) = render(&facts, format, lang);
    match out {
        Some(path) => {
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}
