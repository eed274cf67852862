//! What every handler can reach: the pool, the clock, the settings, the search index and its
//! indexer. Below the routes: imports no HTTP handler, so every route module can import it.

use std::sync::Arc;

use anyhow::Context;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{self, Pool};
use crate::http::RateLimiter;
use crate::search::{
    SearchIndex, Writers,
    indexer::{self, Indexer},
};

/// What every handler can reach.
pub struct AppState {
    pub pool: Pool,
    pub clock: Clock,
    pub settings: Settings,
    pub search: Arc<SearchIndex>,
    pub indexer: Indexer,
    pub applications_limiter: RateLimiter,
    /// Unknown booking links presented, per client: guessing one is slowed to a crawl.
    pub booking_token_misses: RateLimiter,
}

/// The serving process's index writer budget: small, since it indexes a batch at a time.
const SERVE_INDEX_HEAP: usize = 50_000_000;

/// The database (migrated) and the clock, without the index: all that commands reading and
/// writing rows need (`token create`, `report show|push`, `seed`). Takes no index lock, so it
/// works beside a running `serve`; the running indexer picks the writes up from the outbox.
pub struct Storage {
    pub pool: Pool,
    pub clock: Clock,
}

impl Storage {
    /// Connects (creating the SQLite file if needed) and applies pending migrations.
    pub async fn open(settings: &Settings) -> anyhow::Result<Self> {
        let url = settings.database_url.clone();
        let size = settings.pool_size;
        let pool = tokio::task::spawn_blocking(move || db::open(&url, size)).await.context("opening the database")??.0;
        // The newest stored taxonomy version is in force from the first request on.
        db::run(&pool, crate::taxonomy::update::install_stored)
            .await
            .map_err(|e| anyhow::anyhow!("putting the stored taxonomy version in force: {e}"))?;
        Ok(Self { pool, clock: clock_of(settings) })
    }
}

/// The settings' fixed instant, or the system clock.
pub fn clock_of(settings: &Settings) -> Clock {
    match settings.clock {
        Some(at) => Clock::fixed(at.to_utc()),
        None => Clock::system(),
    }
}

impl AppState {
    /// The storage, the index (rebuilt or caught up first) and its indexer thread, which owns
    /// the index writers. Fails with a clear message if another process writes the index.
    pub async fn open(settings: Settings) -> anyhow::Result<Self> {
        let Storage { pool, clock } = Storage::open(&settings).await?;
        // Parse the compiled-in reference data now rather than in the first request.
        tokio::task::spawn_blocking(crate::reference::reference).await?;
        let (search, writers) = open_index(&pool, &settings.index_dir).await?;
        let search = Arc::new(search);
        let indexer = Indexer::start(pool.clone(), search.clone(), writers);
        Ok(Self {
            pool,
            clock,
            settings,
            search,
            indexer,
            applications_limiter: Default::default(),
            booking_token_misses: Default::default(),
        })
    }

    /// What searching and ranking read, at this moment.
    pub fn lookup(&self) -> crate::search::Lookup<'_> {
        crate::search::Lookup { index: &self.search, weights: &self.settings.matching, now: self.clock.now_ts() }
    }
}

/// Opens the indexes, rebuilds any that is missing or damaged, and applies the outbox
/// written since the last commit, so the index is current before the first request.
async fn open_index(pool: &Pool, dir: &std::path::Path) -> anyhow::Result<(SearchIndex, Writers)> {
    let (pool, dir) = (pool.clone(), dir.to_path_buf());
    tokio::task::spawn_blocking(move || -> anyhow::Result<(SearchIndex, Writers)> {
        let index = SearchIndex::open(&dir)?;
        let mut writers = index.writers(SERVE_INDEX_HEAP, 1)?;
        let stats = indexer::rebuild(&pool, &index, &mut writers, false, |_, _, _| {})?;
        if stats.seekers + stats.openings > 0 {
            tracing::info!(
                seekers = stats.seekers,
                openings = stats.openings,
                seconds = stats.seconds,
                "index rebuilt"
            );
        }
        let applied = indexer::catch_up(&pool, &index, &mut writers)?;
        tracing::info!(applied, position = index.position(), "index is current");
        Ok((index, writers))
    })
    .await
    .context("opening the search index")?
}
