//! `platsa reindex`: rebuild both search indexes from the database (refused while `serve`
//! holds them).

use super::progress::Progress;
use crate::config::Settings;
use crate::index::SearchIndex;
use crate::search::indexer;

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let url = settings.database_url.clone();
    let dir = settings.index_dir.clone();
    let stats = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let pool = crate::db::connect(&url, 2)?;
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
