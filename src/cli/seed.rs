//! `platsa seed`: add generated, realistic seekers and openings.

use super::progress::Progress;
use crate::config::Settings;
use crate::state::Storage;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, default_value_t = 1000)]
    seekers: u64,
    #[arg(long, default_value_t = 100)]
    openings: u64,
    /// Random seed: the same seed gives the same people.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub async fn run(Args { seekers, openings, seed }: Args, settings: Settings) -> anyhow::Result<()> {
    let storage = Storage::open(&settings).await?;
    let (now, today) = (storage.clock.now_ts(), storage.clock.today());
    let pool = storage.pool.clone();
    let started = std::time::Instant::now();
    let seeded = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let mut conn = pool.get()?;
        let mut progress = Progress::new("seeding");
        let seeded = crate::demo::seed_bulk(&mut conn, now, today, seekers, openings, seed, |done, total| {
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
