//! Assembles the application: the state (from `state`), every route, the middleware, and the
//! HTTP server. The only module that knows every route; nothing below imports it. Tests build
//! it the same way with port 0.

use std::net::{SocketAddr, TcpListener};

use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, ErrorHandlers};
use actix_web::{App, HttpServer, dev::Server, web};
use anyhow::Context;
use tracing_actix_web::TracingLogger;

use crate::config::Settings;
use crate::db::{self, Pool};
use crate::http::{BodyLimit, BodyTimeout, path_error, problem_fallback, refuse_control_characters};
use crate::index::worker::Indexer;
use crate::index::{SearchIndex, Writers};
use crate::search::indexer;
pub use crate::state::{AppState, Storage};
use crate::telemetry::RedactingRootSpan;
use std::sync::Arc;

pub struct Application {
    server: Server,
    address: SocketAddr,
    state: web::Data<AppState>,
    schedules: tokio::task::JoinHandle<()>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let state = web::Data::new(AppState::open(settings).await?);
        Self::with_state(state)
    }

    /// On a socket already bound (the caller needed its address for `public_url` first).
    pub async fn build_on(settings: Settings, listener: TcpListener) -> anyhow::Result<Self> {
        let state = web::Data::new(AppState::open(settings).await?);
        Self::serve(state, listener)
    }

    pub fn with_state(state: web::Data<AppState>) -> anyhow::Result<Self> {
        let listener =
            TcpListener::bind(state.settings.listen).with_context(|| format!("binding {}", state.settings.listen))?;
        Self::serve(state, listener)
    }

    fn serve(state: web::Data<AppState>, listener: TcpListener) -> anyhow::Result<Self> {
        let address = listener.local_addr()?;
        let body_limit = state.settings.body_limit;
        let body_timeout = state.settings.body_timeout;
        let trusted = state.settings.trusted_proxies.clone();
        let allowed = web::Data::new(crate::openapi::allowed_methods());
        let requirement_check: web::Data<crate::openings::Checker> =
            web::Data::new(std::sync::Arc::new(crate::accountability::requirements::RegisterCheck::new(
                state.search.clone(),
                state.settings.matching,
                state.settings.accountability.requirement_exclusion_share,
            )));
        let app_state = state.clone();
        let schedules = spawn_schedules(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(app_state.clone())
                .app_data(BodyLimit(body_limit))
                .app_data(BodyTimeout(body_timeout))
                .app_data(trusted.clone())
                .app_data(allowed.clone())
                .app_data(requirement_check.clone())
                .app_data(web::PayloadConfig::new(body_limit))
                .app_data(web::QueryConfig::default().error_handler(crate::web::query_error))
                .app_data(web::PathConfig::default().error_handler(path_error))
                // Innermost: a bearer token is known (or not) before a handler reads the body.
                .wrap(actix_web::middleware::from_fn(crate::auth::http::resolve_bearer))
                .wrap(actix_web::middleware::from_fn(refuse_control_characters))
                .wrap(actix_web::middleware::from_fn(crate::http::strict_transport_security))
                .wrap(ErrorHandlers::new().default_handler(problem_fallback))
                // Answers carry personal data: never cached, never sniffed. Pages and assets
                // set their own Cache-Control, which this keeps.
                .wrap(
                    DefaultHeaders::new()
                        .add((header::CACHE_CONTROL, "no-store"))
                        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff")),
                )
                .wrap(TracingLogger::<RedactingRootSpan>::new())
                .configure(routes)
                .default_service(web::to(crate::web::not_found))
        })
        .shutdown_timeout(10)
        .listen(listener)?
        .run();
        Ok(Self { server, address, state, schedules })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Stops the server from elsewhere (tests, embedding).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT/SIGTERM, then finishes in-flight requests (graceful shutdown).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.schedules.abort();
        let _ = self.schedules.await;
        let state = self.state.clone();
        let _ = tokio::task::spawn_blocking(move || state.indexer.shutdown()).await;
        result
    }
}

/// Background work every `serve` process does: pushing monthly figures on schedule and
/// retrying failed deliveries (booking reminders join in their module). Safe with N
/// processes: each delivery's state is in the database.
fn spawn_schedules(state: web::Data<AppState>) -> tokio::task::JoinHandle<()> {
    // Profiles saved before the reader of free text changed are read again, once, in the
    // background (the pages and the index read them on the fly until then).
    let rereading = state.clone();
    tokio::spawn(async move {
        loop {
            match crate::db::run(&rereading.pool, |c| crate::seekers::store::reread(c, 1_000)).await {
                Ok(0) => break,
                Ok(n) => tracing::debug!(profiles = n, "summaries read again"),
                Err(e) => {
                    tracing::warn!(error = %e, "reading summaries again failed; tried again at the next start");
                    break;
                }
            }
        }
    });
    // Consent requests and reminders an earlier version left in the old delivery loop become
    // messages, once.
    let adopting = state.clone();
    tokio::spawn(async move {
        let (now, url) = (adopting.clock.now_ts(), adopting.settings.public_url.clone());
        let adopted = crate::db::run(&adopting.pool, move |c| {
            Ok(crate::shortlist::adopt_waiting_requests(c, now)?
                + crate::booking::notify::adopt_waiting_reminders(c, now, &url)?)
        })
        .await;
        match adopted {
            Ok(0) => {}
            Ok(n) => tracing::info!(messages = n, "waiting consent requests and reminders became messages"),
            Err(e) => {
                tracing::warn!(error = %e, "handing waiting deliveries to messages failed; tried at the next start")
            }
        }
    });
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
        // Signals are computed every `signals.interval_minutes` (a read over the whole
        // caseload), first one interval after start, and only when a webhook wants them.
        let every = std::time::Duration::from_secs(u64::from(state.settings.signals.interval_minutes) * 60);
        let mut signals_due = std::time::Instant::now() + every;
        // JobStream: at start, then every `jobstream.interval_minutes`, in a task of its own
        // (a snapshot takes minutes); the database decides which process reads.
        let jobstream_every = std::time::Duration::from_secs(u64::from(state.settings.jobstream.interval_minutes) * 60);
        let mut jobstream_due = std::time::Instant::now();
        let mut jobstream: Option<tokio::task::JoinHandle<()>> = None;
        // The daily backup: in a task of its own (seconds to minutes); the database decides
        // which process takes it.
        let mut backup: Option<tokio::task::JoinHandle<()>> = None;
        loop {
            // A new opening wakes the loop for its daily matches; nothing else is due sooner.
            tokio::select! {
                _ = tick.tick() => {}
                _ = state.new_openings.notified() => {}
            }
            let matching = state.clone();
            if let Err(e) =
                crate::db::run(&state.pool, move |c| crate::matching::daily::run(c, matching.lookup())).await
            {
                tracing::warn!(error = %e, "the daily matches failed; retried at the next tick");
            }
            let idle = jobstream.as_ref().is_none_or(|j| j.is_finished());
            if state.settings.jobstream.enabled() && idle && std::time::Instant::now() >= jobstream_due {
                jobstream_due = std::time::Instant::now() + jobstream_every;
                let state = state.clone();
                jobstream = Some(tokio::spawn(async move {
                    let s = &state.settings.jobstream;
                    if let Err(e) = crate::jobstream::sync(&state.pool, s, &state.clock, false).await {
                        tracing::warn!(error = %e, "JobStream sync failed; retried at the next interval");
                    }
                }));
            }
            if state.settings.backup.scheduled() && backup.as_ref().is_none_or(|b| b.is_finished()) {
                let state = state.clone();
                backup = Some(tokio::spawn(async move {
                    let s = &state.settings;
                    if let Err(e) =
                        crate::backup::schedule::run_due(&state.pool, &s.database_url, &s.backup, &state.clock).await
                    {
                        tracing::warn!(error = %e, "the daily backup could not be claimed or recorded; retried at the next tick");
                    }
                }));
            }
            if !state.settings.signals.webhook.trim().is_empty() && std::time::Instant::now() >= signals_due {
                signals_due = std::time::Instant::now() + every;
                let s = &state.settings;
                if let Err(e) =
                    crate::signals::push::run(&state.pool, &s.signals, &s.consent.public_url, &state.clock).await
                {
                    tracing::warn!(error = %e, "pushing signals failed; retried later");
                }
            }
            // A taxonomy version stored by `platsa taxonomy update` (here or on another
            // machine) is put in force within a tick.
            if let Err(e) = crate::db::run(&state.pool, crate::taxonomy::update::install_stored).await {
                tracing::warn!(error = %e, "checking for a new taxonomy version failed; retried at the next tick");
            }
            let (now, retention) = (state.clock.now_ts(), state.settings.retention.clone());
            if let Err(e) = crate::db::run(&state.pool, move |c| crate::retention::daily(c, now, &retention)).await {
                tracing::warn!(error = %e, "the daily retention run failed; tomorrow's catches up");
            }
            // Exposure per unit over the last 30 days, once a day (what the signal reads).
            let measuring = state.clone();
            if let Err(e) =
                crate::db::run(&state.pool, move |c| crate::accountability::exposure::daily(c, measuring.lookup()))
                    .await
            {
                tracing::warn!(error = %e, "measuring exposure failed; tomorrow's measures again");
            }
            if let Err(e) = crate::reports::push::scheduled(&state.pool, &state.settings.reports, &state.clock).await {
                tracing::warn!(error = %e, "scheduled report push failed; retried later");
            }
            // Offers of a freed earlier meeting whose hold ran out pass to the next person.
            let (now, sending) = (state.clock.now_ts(), crate::booking::Sending::of(&state.settings));
            if let Err(e) =
                crate::db::run(&state.pool, move |c| crate::booking::waitlist::expire_due(c, now, &sending)).await
            {
                tracing::warn!(error = %e, "passing on offers whose hold ran out failed; retried at the next tick");
            }
            if let Err(e) = crate::messages::send::deliver_due(
                &state.pool,
                &crate::messages::gateway::Gateways::from_settings(&state.settings),
                &state.clock,
                500,
            )
            .await
            {
                tracing::warn!(error = %e, "sending messages failed; retried at the next tick");
            }
        }
    })
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    for (api_routes, _) in crate::openapi::MODULES {
        cfg.configure(*api_routes);
    }
    cfg.configure(crate::web::routes);
}

// Opening the state: the app's, since it reaches into capabilities (the stored taxonomy, the
// documents the index is rebuilt from).

/// The serving process's index writer budget: small, since it indexes a batch at a time.
const SERVE_INDEX_HEAP: usize = 50_000_000;

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
        Ok(Self { pool, clock: crate::state::clock_of(settings) })
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
        let indexer = Indexer::start(pool.clone(), search.clone(), writers, indexer::catch_up);
        Ok(Self {
            pool,
            clock,
            settings,
            search,
            indexer,
            applications_limiter: Default::default(),
            booking_token_misses: Default::default(),
            consent_token_misses: Default::default(),
            sign_in_failures: Default::default(),
            new_openings: tokio::sync::Notify::new(),
        })
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
