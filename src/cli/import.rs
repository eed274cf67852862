//! `platsa import seekers FILE`: a register, checked and written 500 rows at a time, indexed
//! alongside.

use clap::Subcommand;

use crate::config::Settings;
use crate::index::SearchIndex;
use crate::search::indexer;
use crate::state::Storage;

#[derive(Subcommand)]
pub enum Command {
    /// Import seekers from a CSV (`;` or `,`, UTF-8 with or without BOM), XLSX or JSON Lines
    /// file; rows are matched by personnummer (updated, never duplicated).
    Seekers {
        file: std::path::PathBuf,
        /// A JSON file naming which column fills which field: {"Personnr": "personnummer"}.
        #[arg(long)]
        mapping: Option<std::path::PathBuf>,
        /// csv, xlsx or jsonl (default: from the file name).
        #[arg(long)]
        format: Option<String>,
        /// Check every row and print the report; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Apply nothing if one row is bad.
        #[arg(long)]
        all_or_nothing: bool,
    },
}

pub async fn run(command: Command, settings: Settings) -> anyhow::Result<()> {
    let Command::Seekers { file, mapping, format, dry_run, all_or_nothing } = command;
    let storage = Storage::open(&settings).await?;
    let opts = crate::imports::Options { dry_run, all_or_nothing };
    import_seekers(&storage, &settings, file, mapping, format, opts).await
}

async fn import_seekers(
    state: &Storage,
    settings: &Settings,
    file: std::path::PathBuf,
    mapping: Option<std::path::PathBuf>,
    format: Option<String>,
    opts: crate::imports::Options,
) -> anyhow::Result<()> {
    use crate::imports::{Format, Mapping, import, stream_rows};
    let name = file.display().to_string();
    let format = match format {
        Some(f) => Format::parse(&f).ok_or_else(|| anyhow::anyhow!("--format: `{f}` is not csv, xlsx or jsonl"))?,
        None => Format::of_name(&name).ok_or_else(|| anyhow::anyhow!("{name}: name the format with --format"))?,
    };
    let mapping = match mapping {
        Some(p) => Mapping::parse(&std::fs::read_to_string(&p)?).map_err(|e| anyhow::anyhow!("--mapping: {e}"))?,
        None => Mapping::default(),
    };
    let bytes = std::fs::read(&file)?;
    let started = std::time::Instant::now();
    let who = crate::auth::Principal {
        user_id: "system".into(),
        token_id: String::new(),
        name: "Import (kommandorad)".into(),
        role: crate::auth::Role::Admin,
        employer_id: None,
    };
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let pool = state.pool.clone();
    // The index is brought up to date while the rows are written, unless a `serve` holds it.
    let indexer = (!opts.dry_run).then(|| IndexAlongside::start(settings)).flatten();
    let report = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let file = stream_rows(&bytes, format, &mapping).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        let bar = indicatif::ProgressBar::new(file.total as u64).with_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows · {per_sec} · {eta} left")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let mut conn = pool.get()?;
        let report =
            import(&mut conn, (now, today), &who, format, file, opts, &mut |done| bar.set_position(done as u64))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        bar.finish_and_clear();
        Ok(report)
    })
    .await;
    let written_secs = started.elapsed().as_secs_f64();
    let indexed = match indexer {
        Some(i) => Some(tokio::task::spawn_blocking(move || i.finish()).await??),
        None => None,
    };
    let report = report??;
    let secs = started.elapsed().as_secs_f64();
    for column in &report.unknown_columns {
        println!("column\t{column}\tcolumn.unknown\tno field takes this column: nothing in it was read (map it)");
    }
    for p in &report.problems {
        println!("row {}\t{}\t{}\t{}", p.row, p.field, p.code, p.message);
    }
    println!(
        "{} rows; {} valid, {} with problems; {} created, {} updated{} in {written_secs:.1} s ({:.0} rows/s); import {}",
        report.rows,
        report.valid,
        report.failed,
        report.created,
        report.updated,
        if report.dry_run {
            " (dry run: nothing changed)"
        } else if !report.applied && report.failed > 0 {
            " (all or nothing: nothing changed)"
        } else {
            ""
        },
        report.rows as f64 / written_secs.max(1e-9),
        report.id,
    );
    let written = report.created + report.updated;
    match indexed {
        Some(events) => println!(
            "indexed {events} seeker(s) and change(s); {written} rows written and searchable in {secs:.1} s ({:.0} rows/s)",
            written as f64 / secs.max(1e-9)
        ),
        None if written > 0 => println!("a running `serve` holds the index: it indexes the new rows from the outbox"),
        None => {}
    }
    Ok(())
}

/// Indexes an import's rows from the outbox while they are written (a thread of its own
/// holding the index writers), so the import ends searchable.
struct IndexAlongside {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<anyhow::Result<usize>>,
}

impl IndexAlongside {
    /// None when another process (a running `serve`) holds the index.
    fn start(settings: &Settings) -> Option<Self> {
        let (url, dir) = (settings.database_url.clone(), settings.index_dir.clone());
        let index = SearchIndex::open(&dir).ok()?;
        let mut writers = index.writers(400_000_000, 2).ok()?;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || -> anyhow::Result<usize> {
            let pool = crate::db::connect(&url, 2)?;
            // A new or outdated index is built from the database first, as `serve` would.
            let mut applied = indexer::rebuild(&pool, &index, &mut writers, false, |_, _, _| ())?.seekers as usize;
            loop {
                let last_round = stopping.load(std::sync::atomic::Ordering::SeqCst);
                applied += indexer::catch_up(&pool, &index, &mut writers)?;
                if last_round {
                    return Ok(applied);
                }
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
        });
        Some(Self { stop, thread })
    }

    /// Applies what is left and answers how many changes were indexed.
    fn finish(self) -> anyhow::Result<usize> {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        self.thread.join().map_err(|_| anyhow::anyhow!("the indexing thread panicked"))?
    }
}
