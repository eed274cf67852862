//! Every push to a machine (report figures, signals) goes through one table and one loop;
//! texts to people and employers are `messages`. A delivery is queued in the transaction that
//! decides it; the loop posts what is due with its `Idempotency-Key`, records every attempt,
//! and waits [`backoff_secs`] before the next run retries a failure, so nothing is lost or
//! sent twice to a receiver that honours the key. `/readyz` and `/metrics` read the backlog
//! per channel from here. Safe with N `serve` processes: each delivery's state is a row.
//!
//! The key names the record: `platsa-<channel>:<record>` (a booking, a consent message, a
//! unit and month); a signal's own key (`kind:unit:day`) is already that identity.

use std::collections::HashSet;
use std::time::Duration;

use diesel::prelude::*;
use serde::Serialize;

use crate::clock::Clock;
use crate::db::schema::deliveries;
use crate::db::{self, DbConnection, Pool};
use crate::error::AppResult;

crate::text_enum! {
    /// Where a delivery goes: each channel has its own receiver in the settings. Reminders and
    /// consent requests went here before `messages` took them; their rows stay readable.
    pub enum Channel {
        Reminder = "reminder",
        Consent = "consent",
        Report = "report",
        Signal = "signal",
    }
}

impl Channel {
    /// The channels still sent through this loop: pushes of figures and signals.
    pub const PUSHES: &'static [Channel] = &[Channel::Report, Channel::Signal];
}

crate::text_enum! {
    /// Waiting to be sent (and retried), sent, or dropped (its meeting was cancelled).
    pub enum DeliveryStatus {
        Pending = "pending",
        Delivered = "delivered",
        Cancelled = "cancelled",
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = deliveries)]
pub struct Delivery {
    pub id: String,
    pub channel: Channel,
    pub idempotency_key: String,
    /// The record it is about: a booking, a consent message, a unit, a signal's kind.
    pub subject: String,
    /// The body when fixed at queueing; empty when composed at sending.
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: i64,
    pub delivered_at: Option<i64>,
    pub created_at: i64,
}

/// The one idempotency-key rule: the channel and the record.
pub fn key(channel: Channel, record: &str) -> String {
    format!("platsa-{channel}:{record}")
}

/// Seconds to wait before the next run retries after `attempts` failed ones: a minute,
/// doubling, at most about four hours.
pub fn backoff_secs(attempts: i32) -> i64 {
    60i64 << attempts.clamp(0, 8)
}

/// What [`queue`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queued {
    New,
    /// A pending delivery took the new body and time.
    Refreshed,
    /// Already delivered (or cancelled): left as it is.
    Done,
}

/// Queues a delivery due at `due`, in the caller's transaction. A pending one under the same
/// key takes the new payload and time; a delivered one is never sent again.
pub fn queue(
    c: &mut DbConnection,
    (channel, key, subject): (Channel, &str, &str),
    payload: &str,
    due: i64,
    now: i64,
) -> QueryResult<Queued> {
    let existing: Option<DeliveryStatus> =
        deliveries::table.filter(deliveries::idempotency_key.eq(key)).select(deliveries::status).first(c).optional()?;
    match existing {
        Some(DeliveryStatus::Pending) => {
            diesel::update(deliveries::table.filter(deliveries::idempotency_key.eq(key)))
                .set((deliveries::payload.eq(payload), deliveries::next_attempt_at.eq(due)))
                .execute(c)?;
            Ok(Queued::Refreshed)
        }
        Some(_) => Ok(Queued::Done),
        None => {
            diesel::insert_into(deliveries::table)
                .values((
                    deliveries::id.eq(db::new_id()),
                    deliveries::channel.eq(channel),
                    deliveries::idempotency_key.eq(key),
                    deliveries::subject.eq(subject),
                    deliveries::payload.eq(payload),
                    deliveries::status.eq(DeliveryStatus::Pending),
                    deliveries::next_attempt_at.eq(due),
                    deliveries::created_at.eq(now),
                ))
                .execute(c)?;
            Ok(Queued::New)
        }
    }
}

/// Drops a pending delivery (its meeting was cancelled or moved).
pub fn cancel(c: &mut DbConnection, key: &str) -> QueryResult<usize> {
    diesel::update(
        deliveries::table
            .filter(deliveries::idempotency_key.eq(key))
            .filter(deliveries::status.eq(DeliveryStatus::Pending)),
    )
    .set(deliveries::status.eq(DeliveryStatus::Cancelled))
    .execute(c)
}

/// Which of these keys were ever queued, whatever became of them.
pub fn known(c: &mut DbConnection, keys: &[&str]) -> QueryResult<HashSet<String>> {
    let mut known = HashSet::new();
    for chunk in keys.chunks(500) {
        let seen: Vec<String> = deliveries::table
            .filter(deliveries::idempotency_key.eq_any(chunk))
            .select(deliveries::idempotency_key)
            .load(c)?;
        known.extend(seen);
    }
    Ok(known)
}

/// A channel's deliveries, newest first (`key_suffix`: only keys ending so, e.g. a month).
pub fn list(
    c: &mut DbConnection,
    channel: Channel,
    key_suffix: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Delivery>> {
    let mut q = deliveries::table.filter(deliveries::channel.eq(channel)).into_boxed();
    if let Some(s) = key_suffix {
        q = q.filter(deliveries::idempotency_key.like(format!("%{s}")));
    }
    q.order((deliveries::created_at.desc(), deliveries::idempotency_key))
        .limit(limit)
        .select(Delivery::as_select())
        .load(c)
}

/// Where a channel's deliveries go and how hard one run tries.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: String,
    /// Attempts of one delivery within a run, waiting `retry_base`, then twice that…
    pub attempts_per_run: u32,
    pub retry_base: Duration,
    pub timeout: Duration,
}

impl Target {
    /// A receiver from its settings; `None` when none is configured.
    pub fn of(url: &str, attempts_per_run: u32, retry_base_ms: u64, timeout_ms: u64) -> Option<Self> {
        let url = url.trim().to_string();
        (!url.is_empty()).then(|| Self {
            url,
            attempts_per_run,
            retry_base: Duration::from_millis(retry_base_ms),
            timeout: Duration::from_millis(timeout_ms),
        })
    }

    /// One attempt a run, ten seconds at most (the message gateways).
    pub fn once(url: &str) -> Self {
        Self {
            url: url.trim().to_string(),
            attempts_per_run: 1,
            retry_base: Duration::ZERO,
            timeout: Duration::from_secs(10),
        }
    }
}

/// How a run went: delivered now, and still pending after it.
#[derive(Debug, Default, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub delivered: usize,
    pub pending: usize,
}

/// Composes what a delivery sends at sending time: its body, or `None` when there is nothing
/// to send any more (the delivery is then cancelled).
pub type Compose = fn(&mut DbConnection, &Delivery) -> AppResult<Option<String>>;

/// The stored payload, for channels whose body is fixed when queued.
pub fn stored(_: &mut DbConnection, d: &Delivery) -> AppResult<Option<String>> {
    Ok(Some(d.payload.clone()))
}

/// The one loop: tries every pending delivery of `channel` that is due (oldest first, at most
/// `limit`), each up to `attempts_per_run` times, recording every attempt; a failure waits
/// [`backoff_secs`] before the next run. Without a receiver nothing is sent and all waits.
pub async fn deliver_due(
    pool: &Pool,
    channel: Channel,
    target: &Target,
    clock: &Clock,
    compose: Compose,
    limit: i64,
) -> AppResult<Summary> {
    let mut summary = Summary::default();
    if target.url.is_empty() {
        return Ok(summary);
    }
    let now = clock.now_ts();
    let due: Vec<Delivery> = db::run(pool, move |c| {
        Ok(deliveries::table
            .filter(deliveries::channel.eq(channel))
            .filter(deliveries::status.eq(DeliveryStatus::Pending))
            .filter(deliveries::next_attempt_at.le(now))
            .order((deliveries::created_at, deliveries::idempotency_key))
            .limit(limit)
            .select(Delivery::as_select())
            .load(c)?)
    })
    .await?;
    let client = crate::webhook::client(target.timeout)?;
    for d in due {
        let d2 = d.clone();
        let Some(body) = db::run(pool, move |c| compose(c, &d2)).await? else {
            let key = d.idempotency_key.clone();
            db::run(pool, move |c| Ok(cancel(c, &key)?)).await?;
            continue;
        };
        let mut wait = target.retry_base;
        let mut delivered = false;
        for attempt in 0..target.attempts_per_run.max(1) {
            if attempt > 0 {
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            let error = crate::webhook::post(&client, &target.url, &d.idempotency_key, body.clone()).await.err();
            delivered = error.is_none();
            record(pool, &d, i32::try_from(attempt).unwrap_or(i32::MAX), error, clock.now_ts()).await?;
            if delivered {
                break;
            }
        }
        if delivered {
            summary.delivered += 1;
        } else {
            tracing::warn!(channel = %channel, "a delivery failed; it stays pending and is retried");
            summary.pending += 1;
        }
    }
    Ok(summary)
}

/// Stores one attempt's outcome (`None`: delivered).
async fn record(pool: &Pool, d: &Delivery, earlier: i32, error: Option<String>, now: i64) -> AppResult<()> {
    let id = d.id.clone();
    let wait = backoff_secs(d.attempts + earlier);
    db::run(pool, move |c| {
        let q = deliveries::table.find(&id);
        match error {
            None => diesel::update(q)
                .set((
                    deliveries::status.eq(DeliveryStatus::Delivered),
                    deliveries::attempts.eq(deliveries::attempts + 1),
                    deliveries::delivered_at.eq(now),
                    deliveries::last_error.eq(None::<String>),
                ))
                .execute(c)?,
            Some(why) => diesel::update(q)
                .set((
                    deliveries::attempts.eq(deliveries::attempts + 1),
                    deliveries::last_error.eq(why),
                    deliveries::next_attempt_at.eq(now + wait),
                ))
                .execute(c)?,
        };
        Ok(())
    })
    .await
}

/// A channel's backlog: pending deliveries that are due or have failed before, and the last
/// error seen.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Backlog {
    pub channel: Channel,
    pub overdue: i64,
    pub last_error: Option<String>,
}

/// The backlog of one channel at `now`.
pub fn backlog(c: &mut DbConnection, channel: Channel, now: i64) -> QueryResult<Backlog> {
    let waiting = || {
        deliveries::table
            .filter(deliveries::channel.eq(channel))
            .filter(deliveries::status.eq(DeliveryStatus::Pending))
            .filter(deliveries::next_attempt_at.le(now).or(deliveries::attempts.gt(0)))
    };
    let overdue: i64 = waiting().count().get_result(c)?;
    let last_error: Option<Option<String>> = waiting()
        .filter(deliveries::last_error.is_not_null())
        .order(deliveries::next_attempt_at.desc())
        .select(deliveries::last_error)
        .first(c)
        .optional()?;
    Ok(Backlog { channel, overdue, last_error: last_error.flatten() })
}

/// How many deliveries each channel has in each state, for `/metrics`.
pub fn counts(c: &mut DbConnection) -> QueryResult<Vec<(Channel, DeliveryStatus, i64)>> {
    deliveries::table
        .group_by((deliveries::channel, deliveries::status))
        .select((deliveries::channel, deliveries::status, diesel::dsl::count_star()))
        .order((deliveries::channel, deliveries::status))
        .load(c)
}
