//! The indexer: one thread per process applies the outbox to this process's indexes, in
//! order, committing each batch with its position. Writes wake it at once; it also polls, so
//! writes made by other processes on the same PostgreSQL database arrive too. The thread owns
//! the index writers and drops them when it stops, which releases the directory lock.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tantivy::Term;

use super::{SearchIndex, Side, Writers, documents};
use crate::db::outbox::{self, Entity};
use crate::db::{DbConnection, Pool};
use crate::{openings, seekers};
use tantivy::{IndexWriter, TantivyDocument};

/// How often the indexer looks for writes made by other processes.
const POLL: Duration = Duration::from_millis(200);
const BATCH: i64 = 2000;
const REBUILD_PAGE: i64 = 5000;
/// How often a backlog is committed while it is applied.
const BACKLOG_COMMIT: Duration = Duration::from_secs(1);

#[derive(Default)]
struct Wake {
    pending: Mutex<bool>,
    cv: Condvar,
}

impl Wake {
    fn notify(&self) {
        *self.pending.lock().expect("wake lock") = true;
        self.cv.notify_one();
    }
}

pub struct Indexer {
    wake: Arc<Wake>,
    /// Keeps this indexer subscribed to the outbox's commits.
    _on_commit: Arc<dyn Fn() + Send + Sync>,
    stop: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Indexer {
    /// Starts the thread; it owns `writers` from now on.
    pub fn start(pool: Pool, index: Arc<SearchIndex>, mut writers: Writers) -> Self {
        let wake = Arc::new(Wake::default());
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name("indexer".into())
            .spawn({
                let (wake, stop) = (wake.clone(), stop.clone());
                move || {
                    run(&pool, &index, &mut writers, &wake, &stop);
                    writers.finish();
                }
            })
            .expect("spawning the indexer thread");
        let on_commit = outbox::on_commit({
            let wake = wake.clone();
            move || wake.notify()
        });
        Self { wake, _on_commit: on_commit, stop, thread: Mutex::new(Some(thread)) }
    }

    /// Index what is in the outbox now rather than at the next poll.
    pub fn notify(&self) {
        self.wake.notify();
    }

    /// Applies what is left, stops, and releases the writers; called on graceful shutdown
    /// (and on drop, so an indexer is never left running by accident).
    pub fn shutdown(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.notify();
        if let Some(t) = self.thread.lock().expect("thread lock").take() {
            let _ = t.join();
        }
    }
}

impl Drop for Indexer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn run(pool: &Pool, index: &SearchIndex, writers: &mut Writers, wake: &Wake, stop: &AtomicBool) {
    loop {
        {
            let pending = wake.pending.lock().expect("wake lock");
            let (mut pending, _) = wake.cv.wait_timeout_while(pending, POLL, |p| !*p).expect("wake lock");
            *pending = false;
        }
        let stopping = stop.load(Ordering::SeqCst);
        if let Err(e) = catch_up(pool, index, writers) {
            tracing::warn!(error = %format!("{e:#}"), "indexer: applying the outbox failed; retrying");
            std::thread::sleep(Duration::from_secs(1));
        }
        if stopping {
            return;
        }
    }
}

/// Applies every outbox event after the indexes' position; returns how many. A few events
/// are committed at once (search sees a write within the poll); a backlog (a bulk import, a
/// process starting behind) is committed about once a second, since every commit syncs files
/// and starts merges.
pub fn catch_up(pool: &Pool, index: &SearchIndex, writers: &mut Writers) -> anyhow::Result<usize> {
    let mut conn = pool.get()?;
    let mut applied = 0;
    let mut position = index.position();
    // Per side: whether it holds applied but uncommitted changes.
    let mut pending = [false, false];
    let mut committed = Instant::now();
    loop {
        let started = Instant::now();
        let events = outbox::after(&mut conn, position, BATCH)?;
        if let Some(last) = events.last().map(|e| e.id) {
            let mut seeker_ids = BTreeSet::new();
            let mut opening_ids = BTreeSet::new();
            for e in &events {
                if e.entity == Entity::Seeker.as_str() {
                    seeker_ids.insert(e.entity_id.clone());
                } else if e.entity == Entity::Opening.as_str() {
                    opening_ids.insert(e.entity_id.clone());
                }
            }
            for (i, (side, writer, ids, apply)) in [
                (&index.seekers, &mut writers.seekers, seeker_ids, apply_seekers as ApplyFn),
                (&index.openings, &mut writers.openings, opening_ids, apply_openings as ApplyFn),
            ]
            .into_iter()
            .enumerate()
            {
                if !ids.is_empty() {
                    apply(&mut conn, side, writer, &ids.into_iter().collect::<Vec<_>>())?;
                    pending[i] = true;
                } else if !pending[i] {
                    // Nothing of this side in the batch: it advances in memory, and after a
                    // restart re-applies a few events, which is harmless.
                    side.position.store(last, Ordering::SeqCst);
                }
            }
            position = last;
            applied += events.len();
            tracing::debug!(
                events = events.len(),
                position = last,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "indexer applied a batch"
            );
        }
        let drained = events.len() < BATCH as usize;
        if drained || committed.elapsed() >= BACKLOG_COMMIT {
            // Only an index that changed is committed.
            for (i, (side, writer)) in
                [(&index.seekers, &mut writers.seekers), (&index.openings, &mut writers.openings)]
                    .into_iter()
                    .enumerate()
            {
                if std::mem::take(&mut pending[i]) {
                    side.commit(writer, position)?;
                }
            }
            committed = Instant::now();
            // Only what is committed can be purged; ids not yet purged are tried every call.
            index.seekers.purge_erased(&mut writers.seekers)?;
        }
        if drained {
            return Ok(applied);
        }
    }
}

type ApplyFn = fn(&mut DbConnection, &Side, &mut IndexWriter<TantivyDocument>, &[String]) -> anyhow::Result<()>;

/// Replaces each document with the row's current state (or removes it). The row, not the
/// event, is the truth, so applying an event twice is harmless.
fn apply_seekers(
    conn: &mut DbConnection,
    side: &Side,
    writer: &mut IndexWriter<TantivyDocument>,
    ids: &[String],
) -> anyhow::Result<()> {
    let rows = seekers::store::rows_by_ids(conn, ids)?;
    for id in ids {
        writer.delete_term(Term::from_field_text(side.fields.id, id));
    }
    for row in &rows {
        match documents::seeker(&side.fields, row) {
            Some(doc) => {
                writer.add_document(doc)?;
            }
            None if row.erased_at.is_some() => {
                side.erased_pending.lock().expect("erased lock").insert(row.id.clone());
            }
            None => {}
        }
    }
    Ok(())
}

fn apply_openings(
    conn: &mut DbConnection,
    side: &Side,
    writer: &mut IndexWriter<TantivyDocument>,
    ids: &[String],
) -> anyhow::Result<()> {
    let rows = openings::store::rows_by_ids(conn, ids)?;
    for id in ids {
        writer.delete_term(Term::from_field_text(side.fields.id, id));
    }
    for row in &rows {
        if let Some(doc) = documents::opening(&side.fields, row) {
            writer.add_document(doc)?;
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RebuildStats {
    pub seekers: u64,
    pub openings: u64,
    pub seconds: f64,
}

/// Rebuilds the indexes that need it (or all, with `force`) from the database. The position
/// recorded is the outbox head read *before* the scan, so anything written during the scan
/// is applied again by the next catch-up.
pub fn rebuild(
    pool: &Pool,
    index: &SearchIndex,
    writers: &mut Writers,
    force: bool,
    mut progress: impl FnMut(&str, u64, u64),
) -> anyhow::Result<RebuildStats> {
    let started = Instant::now();
    let mut conn = pool.get()?;
    let head = outbox::head(&mut conn)?;
    let mut stats = RebuildStats::default();
    if force || index.seekers.needs_rebuild.load(Ordering::SeqCst) {
        let total = seekers::store::count_live(&mut conn)? as u64;
        stats.seekers = fill(&index.seekers, &mut writers.seekers, total, &mut progress, |after| {
            let rows = seekers::store::rows_after(&mut conn, after, REBUILD_PAGE)?;
            Ok(rows.into_iter().map(|r| (r.id.clone(), documents::seeker(&index.seekers.fields, &r))).collect())
        })?;
        index.seekers.commit(&mut writers.seekers, head)?;
    }
    if force || index.openings.needs_rebuild.load(Ordering::SeqCst) {
        let total = openings::store::count_live(&mut conn)? as u64;
        stats.openings = fill(&index.openings, &mut writers.openings, total, &mut progress, |after| {
            let rows = openings::store::rows_after(&mut conn, after, REBUILD_PAGE)?;
            Ok(rows.into_iter().map(|r| (r.id.clone(), documents::opening(&index.openings.fields, &r))).collect())
        })?;
        index.openings.commit(&mut writers.openings, head)?;
    }
    stats.seconds = started.elapsed().as_secs_f64();
    Ok(stats)
}

type Page = Vec<(String, Option<tantivy::TantivyDocument>)>;

fn fill(
    side: &Side,
    writer: &mut IndexWriter<TantivyDocument>,
    total: u64,
    progress: &mut impl FnMut(&str, u64, u64),
    mut page: impl FnMut(&str) -> anyhow::Result<Page>,
) -> anyhow::Result<u64> {
    writer.delete_all_documents()?;
    let mut after = String::new();
    let mut done = 0u64;
    loop {
        let docs = page(&after)?;
        let Some((last, _)) = docs.last() else { break };
        after = last.clone();
        for (_, doc) in docs {
            if let Some(doc) = doc {
                writer.add_document(doc)?;
                done += 1;
            }
        }
        progress(side.name, done, total);
    }
    Ok(done)
}
