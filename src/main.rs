//! The `platsa` command: thin; parses the CLI, loads settings and calls into the library.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};
use platsa::search::{SearchIndex, indexer};
use platsa::state::Storage;
use platsa::{auth, config::Settings, startup, telemetry};

/// A progress bar on a terminal; a line per tenth otherwise (CI logs).
struct Progress {
    bar: Option<ProgressBar>,
    label: &'static str,
    current: String,
    printed_tenth: u64,
    started: std::time::Instant,
}

impl Progress {
    fn new(label: &'static str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{msg:10} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar
        });
        Self { bar, label, current: String::new(), printed_tenth: 0, started: std::time::Instant::now() }
    }

    fn update(&mut self, name: &str, done: u64, total: u64) {
        if let Some(bar) = &self.bar {
            bar.set_message(name.to_string());
            bar.set_length(total);
            bar.set_position(done);
            return;
        }
        if self.current != name {
            self.current = name.to_string();
            self.printed_tenth = 0;
            self.started = std::time::Instant::now();
        }
        let tenth = (done * 10).checked_div(total).unwrap_or(10);
        if tenth > self.printed_tenth || done == total {
            self.printed_tenth = tenth;
            let secs = self.started.elapsed().as_secs_f64();
            if secs > 0.05 {
                eprintln!("{} {name}: {done}/{total} ({:.0}/s)", self.label, done as f64 / secs);
            } else {
                eprintln!("{} {name}: {done}/{total}", self.label);
            }
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        self.started = std::time::Instant::now();
        self.printed_tenth = 0;
    }
}

#[derive(Parser)]
#[command(name = "platsa", version, about = "Job matching for municipal labour-market administrations")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (applies pending migrations first).
    Serve {
        /// Address to listen on, overriding `listen` / PLATSA_LISTEN.
        #[arg(long)]
        listen: Option<String>,
        /// Seed a demo municipality into an empty database and print tokens to sign in with
        /// (a database with data is left untouched).
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Rebuild the search indexes from the database (stop `serve` first: it holds them).
    Reindex,
    /// Monthly reports.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Bulk import (see README: Importing a register).
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Retention: erase everyone past `retention.inactive_months` (as the daily run does).
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Platsbanken: read every public vacancy from JobStream (see README: Platsbanken).
    Jobstream {
        #[command(subcommand)]
        command: JobstreamCommand,
    },
    /// JobTech's taxonomy: read the newest version and put it in force (see README: Taxonomy).
    Taxonomy {
        #[command(subcommand)]
        command: TaxonomyCommand,
    },
    /// Signals: list the current ones, or push the new ones to `signals.webhook`.
    Signals {
        #[command(subcommand)]
        command: SignalCommand,
    },
    /// Measure indexing and the candidates query on generated data (see README: Benchmark).
    Bench {
        #[arg(long, default_value_t = 1_000_000)]
        seekers: u64,
        #[arg(long, default_value_t = 500)]
        queries: usize,
        /// Queries timed for the brute-force comparison.
        #[arg(long, default_value_t = 20)]
        brute_force_queries: usize,
        /// Where the throw-away index goes (removed first).
        #[arg(long, default_value = "indexes/bench")]
        dir: std::path::PathBuf,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Also write the generated register and openings as JSON Lines here (seekers.jsonl,
        /// openings.jsonl), to load the same corpus into other engines (benches/fts).
        #[arg(long)]
        export: Option<std::path::PathBuf>,
    },
    /// Drive a running Platsa over HTTP with concurrent clients (see README: Benchmark).
    Load {
        #[command(subcommand)]
        command: LoadCommand,
    },
    /// Score the candidate lists against graded judgements (see README: Evaluating the ranking).
    Eval {
        /// The evaluation set (JSON).
        #[arg(long, required_unless_present = "write_set")]
        set: Option<std::path::PathBuf>,
        /// Instead: write a set generated from the reference data to this file.
        #[arg(long)]
        write_set: Option<std::path::PathBuf>,
        /// With --write-set: the random seed, the number of openings and of other seekers.
        #[arg(long, default_value_t = 13)]
        seed: u64,
        #[arg(long, default_value_t = 40)]
        openings: usize,
        #[arg(long, default_value_t = 2000)]
        crowd: usize,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Where the throw-away index goes (removed first and after).
        #[arg(long, default_value = "indexes/eval")]
        dir: std::path::PathBuf,
    },
    /// Add generated, realistic seekers and openings (for measurements and trials).
    Seed {
        #[arg(long, default_value_t = 1000)]
        seekers: u64,
        #[arg(long, default_value_t = 100)]
        openings: u64,
        /// Random seed: the same seed gives the same people.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Print a month's report as JSON (or CSV with --csv).
    Show {
        #[arg(long)]
        month: String,
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        csv: bool,
    },
    /// Push a month's figures to the process-metrics endpoint (one delivery per unit, each
    /// with its idempotency key; failures stay pending for the schedule).
    Push {
        #[arg(long)]
        month: String,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
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

#[derive(Subcommand)]
enum RetentionCommand {
    /// Erase everyone due now; with --dry-run only list them (JSON lines: ids, why, since).
    Run {
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(clap::Args)]
struct LoadArgs {
    /// The service, e.g. http://127.0.0.1:8080
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// A token allowed to do it.
    #[arg(long, env = "PLATSA_TOKEN")]
    token: String,
    #[arg(long, default_value_t = 8)]
    clients: usize,
    #[arg(long, default_value_t = 20_000)]
    count: u64,
    /// The server's process id: its peak memory during the run is reported.
    #[arg(long)]
    pid: Option<u32>,
}

#[derive(Subcommand)]
enum LoadCommand {
    /// POST /api/v1/seekers with generated people.
    Seekers {
        #[command(flatten)]
        args: LoadArgs,
        /// The unit they belong to (must exist).
        #[arg(long)]
        unit: Option<String>,
        /// The first generated person's number (personnummer follow from it).
        #[arg(long, default_value_t = 5_000_000)]
        first: u64,
        #[arg(long, default_value_t = 11)]
        seed: u64,
    },
    /// Post the openings in FILE (`platsa bench --export` writes openings-api.jsonl) for a new
    /// employer, then GET their candidates in turn.
    Candidates {
        #[command(flatten)]
        args: LoadArgs,
        #[arg(long)]
        openings: std::path::PathBuf,
        /// How many of the file's openings.
        #[arg(long, default_value_t = 200)]
        how_many: usize,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// GET /api/v1/seekers/{id} for the first N registered seekers, in turn.
    Records {
        #[command(flatten)]
        args: LoadArgs,
        #[arg(long, default_value_t = 2000)]
        how_many: usize,
    },
    /// GET these paths in turn (e.g. /api/v1/openings/ID/candidates?limit=50).
    Get {
        #[command(flatten)]
        args: LoadArgs,
        #[arg(long = "path", required = true)]
        paths: Vec<String>,
    },
}

#[derive(Subcommand)]
enum JobstreamCommand {
    /// Read what changed since the stored position (the first time: the whole snapshot).
    Sync {
        /// Read the whole snapshot again; openings whose ads are gone are closed.
        #[arg(long)]
        snapshot: bool,
    },
    /// Where reading stands and the latest runs (JSON).
    Status,
}

#[derive(Subcommand)]
enum TaxonomyCommand {
    /// Read the newest version from JobTech's Taxonomy API, move every seeker's and opening's
    /// deprecated codes to what replaced them, and store the version (every process puts it
    /// in force within a minute).
    Update {
        /// The API's address, e.g. https://taxonomy.api.jobtechdev.se
        #[arg(long)]
        from: String,
        /// Report what would change; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The version in force and the stored ones, with what each update changed.
    Status,
}

#[derive(Subcommand)]
enum SignalCommand {
    /// Print every current signal as JSON lines (ids and figures, never names).
    List,
    /// Record the new signals and deliver what is pending to `signals.webhook` (each with
    /// its key as Idempotency-Key; failures stay pending for the schedule).
    Push,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a user with a token; the token is printed once, as the last line.
    Create {
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: String,
        /// The employer an `employer` token is bound to.
        #[arg(long = "employer")]
        employer: Option<String>,
        /// A unit the user works in (repeat for several): other units' people then need a
        /// stated reason (need-to-know).
        #[arg(long = "unit")]
        units: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("platsa: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(settings.log_format, std::io::stderr);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(run(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("platsa: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, mut settings: Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve { listen, demo } => {
            if let Some(listen) = listen {
                settings.listen = listen
                    .parse()
                    .map_err(|_| anyhow::anyhow!("--listen: `{listen}` is not an address like 127.0.0.1:8080"))?;
            }
            tracing::info!(settings = ?settings, "starting");
            let state = actix_web::web::Data::new(startup::AppState::open(settings).await?);
            if demo {
                seed_demo(&state).await?;
            }
            let application = startup::Application::with_state(state)?;
            println!("platsa listening on http://{}", application.address());
            application.run_until_stopped().await?;
            tracing::info!("stopped");
            Ok(())
        }
        Command::Migrate => {
            let url = settings.database_url.clone();
            let (_, applied) = tokio::task::spawn_blocking(move || platsa::db::open(&url, 1)).await??;
            println!("database {}: {applied} migration(s) applied, up to date", settings.database_url.redacted());
            Ok(())
        }
        Command::Reindex => {
            let url = settings.database_url.clone();
            let dir = settings.index_dir.clone();
            let stats = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
                let pool = platsa::db::connect(&url, 2)?;
                let index = SearchIndex::open(&dir)?;
                // Refuses with a message saying what to do while `serve` holds the index.
                let mut writers = index.writers(400_000_000, 2)?;
                let mut progress = Progress::new("indexing");
                let stats = indexer::rebuild(&pool, &index, &mut writers, true, |name, done, total| {
                    progress.update(name, done, total)
                })?;
                progress.finish();
                indexer::catch_up(&pool, &index, &mut writers)?;
                Ok(stats)
            })
            .await??;
            let rate = |n: u64| n as f64 / stats.seconds.max(1e-9);
            println!(
                "indexed {} seekers and {} openings in {:.1} s ({:.0} documents/s)",
                stats.seekers,
                stats.openings,
                stats.seconds,
                rate(stats.seekers + stats.openings)
            );
            Ok(())
        }
        Command::Report { command } => {
            let storage = Storage::open(&settings).await?;
            report_command(&storage, &settings, command).await
        }
        Command::Import { command: ImportCommand::Seekers { file, mapping, format, dry_run, all_or_nothing } } => {
            let storage = Storage::open(&settings).await?;
            let opts = platsa::imports::Options { dry_run, all_or_nothing };
            import_seekers(&storage, &settings, file, mapping, format, opts).await
        }
        Command::Retention { command: RetentionCommand::Run { dry_run } } => {
            let storage = Storage::open(&settings).await?;
            let (now, months) = (storage.clock.now_ts(), settings.retention.inactive_months);
            if months == 0 {
                anyhow::bail!("retention.inactive_months is 0: retention is off");
            }
            let list = platsa::db::run(&storage.pool, move |c| platsa::retention::run(c, now, months, dry_run))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            for d in &list {
                println!("{}", serde_json::to_string(d)?);
            }
            println!("{} {} (after {months} months)", list.len(), if dry_run { "due for erasure" } else { "erased" });
            Ok(())
        }
        Command::Load { command } => {
            use platsa::load::{Target, run};
            let (args, target, what) = match command {
                LoadCommand::Seekers { args, unit, first, seed } => {
                    (args, Target::CreateSeekers { unit, first, seed }, "POST /api/v1/seekers")
                }
                LoadCommand::Get { args, paths } => (args, Target::Get(paths), "GET"),
                LoadCommand::Candidates { args, openings, how_many, limit } => {
                    let paths = platsa::load::post_openings(&args.url, &args.token, &openings, how_many, limit).await?;
                    println!("posted {} openings", paths.len());
                    (args, Target::Get(paths), "GET /api/v1/openings/{id}/candidates")
                }
                LoadCommand::Records { args, how_many } => {
                    let paths = platsa::load::seeker_paths(&args.url, &args.token, how_many).await?;
                    (args, Target::Get(paths), "GET /api/v1/seekers/{id}")
                }
            };
            println!("platsa load: {} requests from {} clients to {}", args.count, args.clients, args.url);
            let report = run(&args.url, &args.token, args.clients, args.count, target, args.pid).await;
            println!("{}", report.line(what));
            Ok(())
        }
        Command::Jobstream { command } => {
            let storage = Storage::open(&settings).await?;
            jobstream_command(&storage, &settings, command).await
        }
        Command::Taxonomy { command } => {
            let storage = Storage::open(&settings).await?;
            taxonomy_command(&storage, command).await
        }
        Command::Signals { command } => {
            let storage = Storage::open(&settings).await?;
            signal_command(&storage, &settings, command).await
        }
        Command::Bench { seekers, queries, brute_force_queries, dir, seed, export } => {
            let weights = settings.matching;
            let opts =
                platsa::bench::BenchOptions { seekers, queries, brute_force_queries, dir: dir.clone(), seed, export };
            println!(
                "platsa bench: {seekers} seekers, {queries} candidate queries, {} cores",
                std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
            );
            tokio::task::spawn_blocking(move || platsa::bench::run(&opts, &weights, |line| println!("{line}")))
                .await??;
            let _ = std::fs::remove_dir_all(&dir);
            Ok(())
        }
        Command::Eval { set, write_set, seed, openings, crowd, json, dir } => {
            if let Some(path) = write_set {
                let generated = platsa::eval::generate::generate(seed, openings, crowd);
                std::fs::write(&path, serde_json::to_string_pretty(&generated)?)?;
                let judged: usize = generated.judgements.values().map(|j| j.len()).sum();
                println!(
                    "wrote {}: {} openings, {} seekers, {judged} graded pairs",
                    path.display(),
                    generated.openings.len(),
                    generated.seekers.len()
                );
                return Ok(());
            }
            let Some(path) = set else { anyhow::bail!("--set FILE is required") };
            let loaded = platsa::eval::load(&path)?;
            let weights = settings.matching;
            let report = tokio::task::spawn_blocking(move || platsa::eval::run(&loaded, &weights, &dir)).await??;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                for line in report.lines() {
                    println!("{line}");
                }
            }
            Ok(())
        }
        Command::Seed { seekers, openings, seed } => {
            let storage = Storage::open(&settings).await?;
            let (now, today) = (storage.clock.now_ts(), storage.clock.today());
            let pool = storage.pool.clone();
            let started = std::time::Instant::now();
            let seeded = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
                let mut conn = pool.get()?;
                let mut progress = Progress::new("seeding");
                let seeded = platsa::demo::seed_bulk(&mut conn, now, today, seekers, openings, seed, |done, total| {
                    progress.update("rows", done, total)
                })
                .map_err(|e| anyhow::anyhow!("{e}"))?;
                progress.finish();
                Ok(seeded)
            })
            .await??;
            println!(
                "added {} seekers and {} openings in {:.1} s; a running serve indexes them now, \
                 otherwise the next start does (or `platsa reindex`)",
                seeded.seekers,
                seeded.openings,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Token { command: TokenCommand::Create { role, name, employer, units } } => {
            let role = auth::Role::parse(&role).ok_or_else(|| {
                anyhow::anyhow!("--role: `{role}` is not one of admin, broker, officer, manager, employer")
            })?;
            if (role == auth::Role::Employer) != employer.is_some() {
                anyhow::bail!("--employer is required for the employer role and only for it");
            }
            let storage = Storage::open(&settings).await?;
            let now = storage.clock.now_ts();
            let issued = tokio::task::spawn_blocking(move || {
                let mut conn = storage.pool.get()?;
                let issued = auth::store::create_user_with_token(&mut conn, now, role, &name, employer.as_deref())
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                if !units.is_empty() {
                    platsa::units::set_for_user(&mut conn, &issued.user_id, &units)
                        .map_err(|e| anyhow::anyhow!("--unit: {e}"))?;
                }
                anyhow::Ok(issued)
            })
            .await??;
            println!("token id: {}", issued.id);
            println!("user id:  {}", issued.user_id);
            println!("role:     {}", issued.role);
            println!("{}", issued.token);
            Ok(())
        }
    }
}

async fn report_command(state: &Storage, settings: &Settings, command: ReportCommand) -> anyhow::Result<()> {
    use platsa::clock::Month;
    use platsa::reports::csv::to_csv;
    use platsa::reports::{monthly, push};
    let month_of = |m: &str| Month::parse(m).ok_or_else(|| anyhow::anyhow!("--month: `{m}` is not YYYY-MM"));
    match command {
        ReportCommand::Show { month, unit, csv } => {
            let m = month_of(&month)?;
            let now = state.clock.now_ts();
            let report = platsa::db::run(&state.pool, move |c| monthly(c, m, unit.as_deref(), now))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if csv {
                print!("{}", to_csv(&report));
            } else {
                println!("{}", serde_json::to_string_pretty(&report)?);
            }
        }
        ReportCommand::Push { month } => {
            let m = month_of(&month)?;
            let prepared =
                push::prepare(&state.pool, m, state.clock.now_ts()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let summary = push::deliver_due(&state.pool, &settings.reports, &state.clock)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{m}: {prepared} unit(s) to push; delivered {}, still pending {}",
                summary.delivered, summary.pending
            );
            if summary.pending > 0 {
                anyhow::bail!("{} delivery(ies) failed; they stay pending and serve retries them", summary.pending);
            }
        }
    }
    Ok(())
}

async fn import_seekers(
    state: &Storage,
    settings: &Settings,
    file: std::path::PathBuf,
    mapping: Option<std::path::PathBuf>,
    format: Option<String>,
    opts: platsa::imports::Options,
) -> anyhow::Result<()> {
    use platsa::imports::{Format, Mapping, import, stream_rows};
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
    let who = platsa::auth::Principal {
        user_id: "system".into(),
        token_id: String::new(),
        name: "Import (kommandorad)".into(),
        role: platsa::auth::Role::Admin,
        employer_id: None,
    };
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let pool = state.pool.clone();
    // The index is brought up to date while the rows are written, unless a `serve` holds it.
    let indexer = (!opts.dry_run).then(|| IndexAlongside::start(settings)).flatten();
    let report = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let (total, rows) = stream_rows(&bytes, format, &mapping).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        let bar = indicatif::ProgressBar::new(total as u64).with_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows · {per_sec} · {eta} left")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let mut conn = pool.get()?;
        let report = import(&mut conn, (now, today), &who, format, (total, rows), opts, &mut |done| {
            bar.set_position(done as u64)
        })
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
            let pool = platsa::db::connect(&url, 2)?;
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

async fn jobstream_command(state: &Storage, settings: &Settings, command: JobstreamCommand) -> anyhow::Result<()> {
    use platsa::jobstream;
    match command {
        JobstreamCommand::Sync { snapshot } => {
            let run = jobstream::sync(&state.pool, &settings.jobstream, &state.clock, snapshot)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let Some(run) = run else {
                anyhow::bail!("another process is syncing now; try again when it is done");
            };
            println!(
                "{}: {} ads; {} new, {} updated, {} unchanged, {} closed, {} outside the filters, {} malformed ({} request(s))",
                run.kind.map(|k| k.as_str()).unwrap_or(""),
                run.ads,
                run.created,
                run.updated,
                run.unchanged,
                run.closed,
                run.filtered,
                run.malformed,
                run.attempts
            );
            for p in &run.problems {
                println!("  ad {}: {} {}", p.ad, p.field, p.problem);
            }
            if let Some(e) = run.error {
                anyhow::bail!("the sync failed ({e}); the position stays and the next sync reads from it");
            }
        }
        JobstreamCommand::Status => {
            let (s, now) = (settings.jobstream.clone(), state.clock.now_ts());
            let (status, runs) =
                platsa::db::run(&state.pool, move |c| Ok((jobstream::status(c, &s, now)?, jobstream::runs(c, 10)?)))
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "status": status, "runs": runs }))?);
        }
    }
    Ok(())
}

async fn taxonomy_command(state: &Storage, command: TaxonomyCommand) -> anyhow::Result<()> {
    use platsa::taxonomy::update::{apply, fetch, history};
    match command {
        TaxonomyCommand::Update { from, dry_run } => {
            let in_force = platsa::reference::reference().version;
            let Some(fetched) = fetch(&from, in_force).await? else {
                println!("version {} is in force and the newest: nothing to do", in_force.unwrap_or_default());
                return Ok(());
            };
            let now = state.clock.now_ts();
            let report = platsa::db::run(&state.pool, move |c| apply(c, now, &from, &fetched, dry_run))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            for r in &report.replaced {
                println!(
                    "replaced\t{}\t{} ({})\t→ {}",
                    r.kind,
                    r.old_id,
                    r.old_label,
                    match (&r.new_id, &r.new_label) {
                        (Some(id), Some(label)) => format!("{id} ({label})"),
                        (Some(id), None) => id.clone(),
                        _ => "nothing".to_string(),
                    }
                );
            }
            for code in &report.occupations_unmapped {
                println!("unmapped\tSSYK {code}: on someone's record, gone from this version, nothing replaces it");
            }
            for code in &report.municipalities_unplaced {
                println!("unplaced\tmunicipality {code}: Platsa has no centroid for it; left out");
            }
            println!(
                "version {} (was {}): {} SSYK groups, {} occupation names, {} substitutability pairs, {} skills, {} municipalities; {} replaced concepts; {} seekers and {} openings moved{}; {} skills relabelled, {} now free text",
                report.version,
                report.previous.map(|v| v.to_string()).unwrap_or_else(|| "the compiled-in copy".into()),
                report.ssyk_groups,
                report.occupation_names,
                report.substitutability,
                report.skills,
                report.municipalities,
                report.replaced.len(),
                report.seekers_changed,
                report.openings_changed,
                if report.dry_run { " (dry run: nothing changed)" } else { "" },
                report.skills_relabelled,
                report.skills_to_free_text,
            );
        }
        TaxonomyCommand::Status => {
            let versions = platsa::db::run(&state.pool, history).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            match platsa::reference::reference().version {
                Some(v) => println!("in force: version {v}"),
                None => println!("in force: the compiled-in copy (no version stored)"),
            }
            for (version, at, report) in versions {
                println!(
                    "version {version}, read {} from {}: {} replaced, {} seekers and {} openings moved",
                    chrono::DateTime::from_timestamp(at, 0).map(|d| d.to_rfc3339()).unwrap_or_default(),
                    report.source,
                    report.replaced.len(),
                    report.seekers_changed,
                    report.openings_changed
                );
            }
        }
    }
    Ok(())
}

async fn signal_command(state: &Storage, settings: &Settings, command: SignalCommand) -> anyhow::Result<()> {
    use platsa::signals::{current, push, reason};
    match command {
        SignalCommand::List => {
            let (now, s) = (state.clock.now_ts(), settings.signals.clone());
            let all = platsa::db::run(&state.pool, move |c| current(c, now, &s, &platsa::signals::Scope::All))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            for sig in &all {
                println!("{}", serde_json::json!({ "signal": sig, "reason": reason::text(sig) }));
            }
        }
        SignalCommand::Push => {
            let summary = push::run(&state.pool, &settings.signals, &settings.consent.public_url, &state.clock)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "{} new signal(s); delivered {}, still pending {}",
                summary.new, summary.delivered, summary.pending
            );
            if summary.pending > 0 {
                anyhow::bail!("{} delivery(ies) failed; they stay pending and serve retries them", summary.pending);
            }
        }
    }
    Ok(())
}

async fn seed_demo(state: &startup::AppState) -> anyhow::Result<()> {
    use platsa::demo::municipality;
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let settings = state.settings.booking.clone();
    let pool = state.pool.clone();
    let seeded = platsa::db::run(&pool, move |c| {
        if !municipality::is_empty(c)? {
            return Ok(None);
        }
        municipality::seed(c, now, today, &settings).map(Some)
    })
    .await
    .map_err(|e| anyhow::anyhow!("seeding the demo: {e}"))?;
    match seeded {
        None => println!("demo: the database already has data; left as it is"),
        Some(t) => {
            println!(
                "demo: seeded Trelleborg (employers, openings, 320 seekers, officers, a year of placements and targets)"
            );
            println!("demo: admin token   {}", t.admin);
            println!("demo: broker token  {}", t.broker);
            println!("demo: manager token {}", t.manager);
            println!("demo: officer token {}", t.officer);
        }
    }
    Ok(())
}
