//! What the indexer applies: the outbox's events after the index's position, as documents of
//! seekers and openings, committing each batch with its position; and the rebuild from the
//! database. The thread that runs it is `index::worker`.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tantivy::Term;

use super::documents;
use crate::db::outbox::{self, Entity};
use crate::db::{DbConnection, Pool};
use crate::index::{SearchIndex, Side, Writers};
use crate::{openings, seekers};
use tantivy::{IndexWriter, TantivyDocument};

const BATCH: i64 = 2000;
const REBUILD_PAGE: i64 = 5000;
/// How often a backlog is committed while it is applied.
const BACKLOG_COMMIT: Duration = Duration::from_secs(1);

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
    // The event at `position` (recorded with a commit, so a diverged database is noticed).
    let mut last_event = None;
    loop {
        let started = Instant::now();
        let events = outbox::after(&mut conn, position, BATCH)?;
        if let Some(e) = events.last() {
            last_event = Some(format!("{}:{}", e.entity, e.entity_id));
        }
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
                    side.commit(writer, position, last_event.clone())?;
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
    // An index from another database, or ahead of this one, is rebuilt rather than trusted.
    let database = crate::db::identity(&mut conn)?;
    index.bind(&database, head, |p| Ok(outbox::event_at(&mut conn, p)?))?;
    let head_event = outbox::event_at(&mut conn, head)?;
    let mut stats = RebuildStats::default();
    if force || index.seekers.needs_rebuild.load(Ordering::SeqCst) {
        let total = seekers::store::count_live(&mut conn)? as u64;
        stats.seekers = fill(&index.seekers, &mut writers.seekers, total, &mut progress, |after| {
            let rows = seekers::store::rows_after(&mut conn, after, REBUILD_PAGE)?;
            Ok(rows.into_iter().map(|r| (r.id.clone(), documents::seeker(&index.seekers.fields, &r))).collect())
        })?;
        index.seekers.commit(&mut writers.seekers, head, head_event.clone())?;
    }
    if force || index.openings.needs_rebuild.load(Ordering::SeqCst) {
        let total = openings::store::count_live(&mut conn)? as u64;
        stats.openings = fill(&index.openings, &mut writers.openings, total, &mut progress, |after| {
            let rows = openings::store::rows_after(&mut conn, after, REBUILD_PAGE)?;
            Ok(rows.into_iter().map(|r| (r.id.clone(), documents::opening(&index.openings.fields, &r))).collect())
        })?;
        index.openings.commit(&mut writers.openings, head, head_event.clone())?;
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
