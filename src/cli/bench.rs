//! `platsa bench`: a developer tool measuring indexing and the candidates query on generated
//! data.

use crate::config::Settings;

#[derive(clap::Args)]
pub struct Args {
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
    /// Open openings "Dagens förslag" ranks in one run (every core, each opening's best 30).
    #[arg(long, default_value_t = 5000)]
    daily_openings: usize,
}

pub async fn run(
    Args { seekers, queries, brute_force_queries, dir, seed, export, daily_openings }: Args,
    settings: Settings,
) -> anyhow::Result<()> {
    let weights = settings.matching;
    let opts = crate::bench::BenchOptions {
        seekers,
        queries,
        brute_force_queries,
        dir: dir.clone(),
        seed,
        export,
        daily_openings,
    };
    println!(
        "platsa bench: {seekers} seekers, {queries} candidate queries, {} cores",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    tokio::task::spawn_blocking(move || crate::bench::run(&opts, &weights, |line| println!("{line}"))).await??;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
