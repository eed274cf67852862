//! What every handler can reach: the pool, the clock, the settings, the search index and its
//! indexer. Below the capabilities: it imports only the kit (no capability, no route), so
//! every route module can import it. Opening it (migrations, the stored taxonomy, rebuilding
//! the index) is the app's: `startup`.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Pool;
use crate::http::RateLimiter;
use crate::index::SearchIndex;
use crate::index::worker::Indexer;

/// What every handler can reach.
pub struct AppState {
    pub pool: Pool,
    pub clock: Clock,
    pub settings: Settings,
    pub search: Arc<SearchIndex>,
    pub indexer: Indexer,
    pub applications_limiter: RateLimiter,
    /// Unknown booking links presented, per client: past the limit a miss is answered 429.
    pub booking_token_misses: RateLimiter,
    /// The same for consent links (a token space of its own, counted apart).
    pub consent_token_misses: RateLimiter,
    /// Failed sign-ins (unknown tokens on the sign-in page or the API) per client.
    pub sign_in_failures: RateLimiter,
    /// Woken when an opening is made here, so its daily matches ("Dagens förslag") come at
    /// once rather than at the next tick.
    pub new_openings: tokio::sync::Notify,
}

/// The database (migrated) and the clock, without the index: all that commands reading and
/// writing rows need (`token create`, `report show|push`, `seed`). Takes no index lock, so it
/// works beside a running `serve`; the running indexer picks the writes up from the outbox.
pub struct Storage {
    pub pool: Pool,
    pub clock: Clock,
}

/// The settings' fixed instant, or the system clock.
pub fn clock_of(settings: &Settings) -> Clock {
    match settings.clock {
        Some(at) => Clock::fixed(at.to_utc()),
        None => Clock::system(),
    }
}

impl AppState {
    /// What searching and ranking read, at this moment.
    pub fn lookup(&self) -> crate::index::Lookup<'_> {
        crate::index::Lookup { index: &self.search, weights: &self.settings.matching, now: self.clock.now_ts() }
    }
}
