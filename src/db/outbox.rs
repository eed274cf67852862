//! The outbox: every write that changes what search sees appends a row here in the same
//! transaction, and each process's indexer applies the rows in order. A transaction that
//! appended wakes this process's indexers when it commits ([`super::write_tx`] calls
//! [`committed`]), so no handler has to remember to; writes from other processes arrive by
//! the indexer's poll.

use std::cell::Cell;
use std::sync::{Arc, Mutex, Weak};

use diesel::prelude::*;

use super::{DbConnection, schema::outbox};
use crate::error::AppResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Seeker,
    Opening,
}

impl Entity {
    pub fn as_str(self) -> &'static str {
        match self {
            Entity::Seeker => "seeker",
            Entity::Opening => "opening",
        }
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct Event {
    pub id: i64,
    pub entity: String,
    pub entity_id: String,
}

/// Appends an event. Call inside the write's transaction. On PostgreSQL, concurrent
/// transactions would otherwise take sequence values out of commit order, and an indexer
/// that has read up to id N could miss a lower id that commits later; the transaction-scoped
/// advisory lock makes outbox writers commit in id order. SQLite has one writer anyway.
pub fn push(conn: &mut DbConnection, entity: Entity, entity_id: &str, now: i64) -> AppResult<()> {
    PUSHED.set(true);
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(7267001)").execute(pg)?;
    }
    diesel::insert_into(outbox::table)
        .values((outbox::entity.eq(entity.as_str()), outbox::entity_id.eq(entity_id), outbox::created_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// Appends one event per id in one statement (a bulk import's chunk), under the same lock.
pub fn push_many(conn: &mut DbConnection, entity: Entity, ids: &[String], now: i64) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    PUSHED.set(true);
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock(7267001)").execute(pg)?;
    }
    for part in ids.chunks(5000) {
        let rows: Vec<_> = part
            .iter()
            .map(|id| (outbox::entity.eq(entity.as_str()), outbox::entity_id.eq(id), outbox::created_at.eq(now)))
            .collect();
        crate::insert_rows!(conn, outbox::table, rows)?;
    }
    Ok(())
}

thread_local! {
    /// Whether the transaction running on this thread appended to the outbox.
    static PUSHED: Cell<bool> = const { Cell::new(false) };
}

type Waker = dyn Fn() + Send + Sync;

/// The indexers of this process (a test process runs several apps).
static WAKERS: Mutex<Vec<Weak<Waker>>> = Mutex::new(Vec::new());

/// Calls `wake` after every commit that appended to the outbox, for as long as the returned
/// handle lives.
pub fn on_commit(wake: impl Fn() + Send + Sync + 'static) -> Arc<Waker> {
    let wake: Arc<Waker> = Arc::new(wake);
    let mut wakers = WAKERS.lock().expect("outbox wakers lock");
    wakers.retain(|w| w.strong_count() > 0);
    wakers.push(Arc::downgrade(&wake));
    wake
}

/// The transaction on this thread committed: wake the indexers if it appended.
pub(crate) fn committed() {
    if PUSHED.take() {
        let wakers: Vec<Arc<Waker>> =
            WAKERS.lock().expect("outbox wakers lock").iter().filter_map(Weak::upgrade).collect();
        for wake in wakers {
            wake();
        }
    }
}

/// The transaction on this thread rolled back: what it appended is gone.
pub(crate) fn rolled_back() {
    PUSHED.set(false);
}

pub fn after(conn: &mut DbConnection, position: i64, limit: i64) -> QueryResult<Vec<Event>> {
    outbox::table
        .filter(outbox::id.gt(position))
        .order(outbox::id)
        .limit(limit)
        .select((outbox::id, outbox::entity, outbox::entity_id))
        .load(conn)
}

/// What identifies the event at a position (its entity and id): an index records it with its
/// position, so a database whose history differs (restored, recreated) is noticed even where
/// its outbox has grown past that position again. `None` when there is no such event.
pub fn event_at(conn: &mut DbConnection, position: i64) -> QueryResult<Option<String>> {
    let row: Option<(String, String)> =
        outbox::table.find(position).select((outbox::entity, outbox::entity_id)).first(conn).optional()?;
    Ok(row.map(|(entity, id)| format!("{entity}:{id}")))
}

/// The newest event id, 0 when there is none.
pub fn head(conn: &mut DbConnection) -> QueryResult<i64> {
    outbox::table.select(diesel::dsl::max(outbox::id)).first::<Option<i64>>(conn).map(|m| m.unwrap_or(0))
}
