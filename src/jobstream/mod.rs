//! Every public vacancy from Arbetsförmedlingen's JobStream (Platsbanken) as openings.
//!
//! The first sync reads `{base}/snapshot` (all published ads); later ones read
//! `{base}/stream?date=…` (ads changed since the stored position, Swedish local time without
//! an offset; removed ads come with `"removed": true`). The position is stored in the
//! database only after a sync is applied whole, so a failed or interrupted one is read again
//! from the same place; the same ad twice is one opening (unique source + external id).
//! One `serve` process at a time syncs: the run is claimed in `jobstream_state`.

pub mod ad;
mod fetch;
pub mod http;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono_tz::Europe::Stockholm;
use diesel::prelude::*;
use serde::Serialize;

use crate::clock::Clock;
use crate::config::{JobStreamFilters, JobStreamSettings};
use crate::db::schema::{jobstream_runs, jobstream_state};
use crate::db::{self, DbConnection, Pool, new_id, write_tx};
use crate::error::{AppError, AppResult};
use crate::openings::OpeningSource;
use crate::openings::store::{self as openings, Upserted};
use ad::{Problem, Read};

/// The feed's key in `jobstream_state`.
pub const FEED: &str = "platsbanken";
/// Ads written per transaction: other writers get the database between chunks.
const CHUNK: usize = 500;
/// How long a claimed run holds off other processes if its process dies mid-run.
const LEASE_SECS: i64 = 3 * 3600;
/// The next stream starts this long before the last one was asked for, so an ad changed
/// while that answer was being made is read again (harmless: the same ad is one opening).
const OVERLAP_SECS: i64 = 60;
/// Problems kept per run (the counts are complete).
const MAX_PROBLEMS: usize = 200;

crate::text_enum! {
    /// Which endpoint a run read.
    pub enum RunKind {
        Snapshot = "snapshot",
        Stream = "stream",
    }
}

/// One sync: what it read and did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[schema(as = JobStreamRun)]
pub struct Run {
    pub id: String,
    pub kind: Option<RunKind>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub started_at: i64,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub finished_at: i64,
    pub position_from: Option<String>,
    pub position_to: Option<String>,
    pub ads: i32,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub closed: i32,
    /// Ads outside the configured municipalities, counties or occupation fields.
    pub filtered: i32,
    /// Ads skipped because they could not be read whole.
    pub malformed: i32,
    /// Requests made (retries included).
    pub attempts: i32,
    /// Why the run failed; the position then stays where it was.
    pub error: Option<String>,
    pub problems: Vec<Problem>,
}

/// The feed's state, for `/readyz`, the API and the page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = JobStreamStatus)]
pub struct Status {
    pub enabled: bool,
    /// `off` (never configured), `never_run`, `ok` or `failing` (the last run failed).
    pub status: &'static str,
    pub position: Option<String>,
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
    /// Failed runs since the last one that succeeded.
    pub failures: i32,
    pub running: bool,
}

/// A Stockholm wall-clock time as JobStream's `date` takes it.
fn local(ts: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp(ts, 0)
        .unwrap_or_default()
        .with_timezone(&Stockholm)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// Claims the feed's run; `Some(position)` when this process may sync (`None` inside when
/// it never has), `None` when another one is at it.
fn claim(c: &mut DbConnection, now: i64) -> AppResult<Option<Option<String>>> {
    let exists: i64 = jobstream_state::table.find(FEED).count().get_result(c)?;
    if exists == 0 {
        let created = write_tx(c, |c| {
            diesel::insert_into(jobstream_state::table)
                .values((jobstream_state::feed.eq(FEED), jobstream_state::failures.eq(0)))
                .execute(c)
        });
        match created.map_err(AppError::from) {
            // Another process made the row a moment earlier.
            Ok(_) | Err(AppError::Conflict { clash: crate::error::Clash::Unique, .. }) => {}
            Err(e) => return Err(e),
        }
    }
    write_tx(c, |c| {
        let claimed = diesel::update(
            jobstream_state::table
                .find(FEED)
                .filter(jobstream_state::running_until.is_null().or(jobstream_state::running_until.lt(now))),
        )
        .set(jobstream_state::running_until.eq(now + LEASE_SECS))
        .execute(c)?;
        if claimed == 0 {
            return Ok(None);
        }
        let position: Option<String> = jobstream_state::table.find(FEED).select(jobstream_state::position).first(c)?;
        Ok(Some(position))
    })
}

/// Ends the run: on success moves the position; on failure counts it and keeps the reason.
fn finish(c: &mut DbConnection, run: &Run) -> AppResult<()> {
    write_tx(c, |c| {
        let state = jobstream_state::table.find(FEED);
        match &run.error {
            None => diesel::update(state)
                .set((
                    jobstream_state::position.eq(&run.position_to),
                    jobstream_state::running_until.eq(None::<i64>),
                    jobstream_state::last_success_at.eq(run.finished_at),
                    jobstream_state::last_error.eq(None::<String>),
                    jobstream_state::failures.eq(0),
                ))
                .execute(c)?,
            Some(e) => diesel::update(state)
                .set((
                    jobstream_state::running_until.eq(None::<i64>),
                    jobstream_state::last_error.eq(e),
                    jobstream_state::failures.eq(jobstream_state::failures + 1),
                ))
                .execute(c)?,
        };
        diesel::insert_into(jobstream_runs::table)
            .values((
                jobstream_runs::id.eq(&run.id),
                jobstream_runs::feed.eq(FEED),
                jobstream_runs::started_at.eq(run.started_at),
                jobstream_runs::finished_at.eq(run.finished_at),
                jobstream_runs::kind.eq(run.kind.map(RunKind::as_str).unwrap_or("")),
                jobstream_runs::position_from.eq(&run.position_from),
                jobstream_runs::position_to.eq(&run.position_to),
                jobstream_runs::ads.eq(run.ads),
                jobstream_runs::created.eq(run.created),
                jobstream_runs::updated.eq(run.updated),
                jobstream_runs::unchanged.eq(run.unchanged),
                jobstream_runs::closed.eq(run.closed),
                jobstream_runs::filtered.eq(run.filtered),
                jobstream_runs::malformed.eq(run.malformed),
                jobstream_runs::attempts.eq(run.attempts),
                jobstream_runs::error.eq(&run.error),
                jobstream_runs::problems.eq(serde_json::to_string(&run.problems).unwrap_or_else(|_| "[]".into())),
            ))
            .execute(c)?;
        Ok(())
    })
}

/// The address of the next request: the snapshot, or the stream from `position` with the
/// filters the service can apply itself (it knows municipalities and occupation fields by
/// concept id; a county filter is applied here only, so municipalities are then too).
fn url(base: &str, position: Option<&str>, filters: &JobStreamFilters) -> String {
    let base = base.trim().trim_end_matches('/');
    let Some(position) = position else {
        return format!("{base}/snapshot");
    };
    let mut url = format!("{base}/stream?date={position}");
    if filters.region_codes.is_empty() {
        let r = crate::reference::reference();
        for code in &filters.municipality_codes {
            if let Some(m) = r.municipalities.get(code) {
                url.push_str(&format!("&location-concept-id={}", crate::text::urlencode(&m.concept_id)));
            }
        }
    }
    for field in &filters.occupation_fields {
        url.push_str(&format!("&occupation-concept-id={}", crate::text::urlencode(field)));
    }
    url
}

/// Syncs once: `Ok(None)` when another process is syncing. A failed request (after its
/// retries) is a run with `error` set, and the position stays; `snapshot` reads everything
/// again (closing openings whose ads are gone).
pub async fn sync(pool: &Pool, settings: &JobStreamSettings, clock: &Clock, snapshot: bool) -> AppResult<Option<Run>> {
    if !settings.enabled() {
        return Err(AppError::unprocessable("jobstream.base_url is not set: reading Platsbanken is off"));
    }
    let started_at = clock.now_ts();
    let Some(position) = db::run(pool, move |c| claim(c, started_at)).await? else {
        return Ok(None);
    };
    let position = position.filter(|_| !snapshot);
    let filters = settings.filters();
    let kind = if position.is_some() { RunKind::Stream } else { RunKind::Snapshot };
    let mut run = Run {
        id: new_id(),
        kind: Some(kind),
        started_at,
        position_from: position.clone(),
        position_to: Some(local(started_at - OVERLAP_SECS)),
        ..Run::default()
    };
    let fetched = fetch::download(settings, &url(&settings.base_url, position.as_deref(), &filters)).await;
    run.attempts = fetched.attempts as i32;
    let result = match fetched.file {
        Ok(file) => {
            let (path, apply_filters) = (file.clone(), filters.clone());
            let applied = db::run(pool, move |c| apply(c, &path, kind, &apply_filters, started_at)).await;
            let _ = std::fs::remove_file(&file);
            applied
        }
        Err(why) => Err(AppError::Unavailable(why)),
    };
    match result {
        Ok(counts) => {
            run = Run {
                id: run.id,
                kind: run.kind,
                started_at,
                position_from: run.position_from,
                position_to: run.position_to,
                attempts: run.attempts,
                ..counts
            };
        }
        Err(e) => {
            tracing::warn!(kind = kind.as_str(), error = %e, "JobStream sync failed; the position stays");
            run.error = Some(e.to_string());
        }
    }
    run.finished_at = clock.now_ts();
    let stored = run.clone();
    db::run(pool, move |c| finish(c, &stored)).await?;
    tracing::info!(
        kind = kind.as_str(),
        ads = run.ads,
        created = run.created,
        updated = run.updated,
        closed = run.closed,
        malformed = run.malformed,
        "JobStream sync"
    );
    Ok(Some(run))
}

/// Reads the downloaded answer element by element and writes it in chunks.
fn apply(c: &mut DbConnection, file: &Path, kind: RunKind, filters: &JobStreamFilters, now: i64) -> AppResult<Run> {
    let reader = std::io::BufReader::with_capacity(
        1 << 16,
        std::fs::File::open(file).map_err(|e| AppError::Unavailable(format!("the downloaded answer: {e}")))?,
    );
    let mut run = Run::default();
    let mut employers: HashMap<String, String> = HashMap::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut chunk: Vec<Read> = Vec::with_capacity(CHUNK);
    let mut failed: Option<AppError> = None;
    let mut place = 0usize;
    let parsed = fetch::each_element(reader, |element| {
        if failed.is_some() {
            return;
        }
        chunk.push(ad::read(element, place));
        place += 1;
        if chunk.len() == CHUNK
            && let Err(e) = write_chunk(c, &mut chunk, filters, now, &mut run, &mut employers, &mut seen)
        {
            failed = Some(e);
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    parsed.map_err(|e| AppError::Unavailable(format!("the answer is not a JSON array of ads ({e})")))?;
    write_chunk(c, &mut chunk, filters, now, &mut run, &mut employers, &mut seen)?;
    if kind == RunKind::Snapshot {
        run.closed +=
            write_tx(c, |c| openings::close_external_except(c, now, OpeningSource::Platsbanken, &seen))? as i32;
    }
    Ok(run)
}

fn write_chunk(
    c: &mut DbConnection,
    chunk: &mut Vec<Read>,
    filters: &JobStreamFilters,
    now: i64,
    run: &mut Run,
    employers: &mut HashMap<String, String>,
    seen: &mut HashSet<String>,
) -> AppResult<()> {
    if chunk.is_empty() {
        return Ok(());
    }
    let source = OpeningSource::Platsbanken;
    let mut counts = Run::default();
    let mut new_employers: Vec<(String, String)> = Vec::new();
    let mut seen_here: Vec<String> = Vec::new();
    write_tx(c, |c| -> AppResult<()> {
        for read in chunk.iter() {
            counts.ads += 1;
            match read {
                Read::Removed(id) => {
                    counts.closed += openings::close_external(c, now, source, std::slice::from_ref(id))? as i32;
                }
                Read::Malformed(p) => {
                    counts.malformed += 1;
                    counts.problems.push(p.clone());
                    // An ad read before that is unreadable now is left as it was.
                    seen_here.push(p.ad.clone());
                }
                Read::Ad(a) if !filters.admit(a) => {
                    counts.filtered += 1;
                    counts.closed +=
                        openings::close_external(c, now, source, std::slice::from_ref(&a.external_id))? as i32;
                }
                Read::Ad(a) => {
                    seen_here.push(a.external_id.clone());
                    let known = employers.get(&a.organization_number).cloned();
                    // A savepoint per ad: one that cannot be stored is skipped whole.
                    let stored = c.transaction(|c| -> AppResult<(String, Upserted)> {
                        let employer = match known {
                            Some(id) => id,
                            None => crate::employers::find_or_create(c, now, &a.organization_number, &a.employer_name)?,
                        };
                        let done = openings::upsert_external(
                            c,
                            (now, crate::auth::JOBSTREAM_USER),
                            source,
                            (&a.external_id, a.webpage_url.as_deref()),
                            &employer,
                            &a.data,
                        )?;
                        Ok((employer, done))
                    });
                    match stored {
                        Ok((employer, done)) => {
                            new_employers.push((a.organization_number.clone(), employer));
                            match done {
                                Upserted::Created => counts.created += 1,
                                Upserted::Updated => counts.updated += 1,
                                Upserted::Unchanged => counts.unchanged += 1,
                            }
                        }
                        Err(e) => {
                            // The error may quote the ad; only that it happened is logged.
                            let _ = e;
                            tracing::warn!("a JobStream ad could not be stored; skipped");
                            counts.malformed += 1;
                            counts.problems.push(Problem {
                                ad: a.external_id.clone(),
                                field: String::new(),
                                problem: "could not be stored".into(),
                            });
                        }
                    }
                }
            }
        }
        Ok(())
    })?;
    // Only what the committed transaction wrote is remembered.
    employers.extend(new_employers);
    seen.extend(seen_here);
    run.ads += counts.ads;
    run.created += counts.created;
    run.updated += counts.updated;
    run.unchanged += counts.unchanged;
    run.closed += counts.closed;
    run.filtered += counts.filtered;
    run.malformed += counts.malformed;
    let room = MAX_PROBLEMS.saturating_sub(run.problems.len());
    run.problems.extend(counts.problems.into_iter().take(room));
    chunk.clear();
    Ok(())
}

/// The feed's state now.
pub fn status(c: &mut DbConnection, settings: &JobStreamSettings, now: i64) -> AppResult<Status> {
    type Row = (Option<String>, Option<i64>, Option<i64>, Option<String>, i32);
    let row: Option<Row> = jobstream_state::table
        .find(FEED)
        .select((
            jobstream_state::position,
            jobstream_state::running_until,
            jobstream_state::last_success_at,
            jobstream_state::last_error,
            jobstream_state::failures,
        ))
        .first(c)
        .optional()?;
    let (position, running_until, last_success_at, last_error, failures) = row.unwrap_or((None, None, None, None, 0));
    // The state is the database's, shared by every process: one that does not sync itself
    // still reports how the last sync went.
    let status = match (failures, last_success_at) {
        (0, None) if settings.enabled() => "never_run",
        (0, None) => "off",
        (0, Some(_)) => "ok",
        _ => "failing",
    };
    Ok(Status {
        enabled: settings.enabled(),
        status,
        position,
        last_success_at,
        last_error,
        failures,
        running: running_until.is_some_and(|u| u > now),
    })
}

/// The latest runs, newest first.
pub fn runs(c: &mut DbConnection, limit: i64) -> AppResult<Vec<Run>> {
    type Row = (
        String,
        i64,
        i64,
        String,
        Option<String>,
        Option<String>,
        (i32, i32, i32, i32, i32, i32, i32, i32),
        Option<String>,
        String,
    );
    let rows: Vec<Row> = jobstream_runs::table
        .filter(jobstream_runs::feed.eq(FEED))
        .order((jobstream_runs::started_at.desc(), jobstream_runs::id.desc()))
        .limit(limit)
        .select((
            jobstream_runs::id,
            jobstream_runs::started_at,
            jobstream_runs::finished_at,
            jobstream_runs::kind,
            jobstream_runs::position_from,
            jobstream_runs::position_to,
            (
                jobstream_runs::ads,
                jobstream_runs::created,
                jobstream_runs::updated,
                jobstream_runs::unchanged,
                jobstream_runs::closed,
                jobstream_runs::filtered,
                jobstream_runs::malformed,
                jobstream_runs::attempts,
            ),
            jobstream_runs::error,
            jobstream_runs::problems,
        ))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(id, started_at, finished_at, kind, position_from, position_to, n, error, problems)| Run {
            id,
            kind: RunKind::parse(&kind),
            started_at,
            finished_at,
            position_from,
            position_to,
            ads: n.0,
            created: n.1,
            updated: n.2,
            unchanged: n.3,
            closed: n.4,
            filtered: n.5,
            malformed: n.6,
            attempts: n.7,
            error,
            problems: serde_json::from_str(&problems).unwrap_or_default(),
        })
        .collect())
}
