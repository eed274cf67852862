//! Pushing new signals to the signal webhook. A signal seen for the first time is recorded
//! under its key (one row per key across processes and runs, by the primary key), then
//! delivered with the key as `Idempotency-Key`, retried with backoff; what fails stays
//! pending for the next run, never dropped.

use std::time::Duration;

use diesel::prelude::*;
use serde::Serialize;

use super::{Signal, current, reason};
use crate::clock::Clock;
use crate::config::SignalSettings;
use crate::db::schema::signal_deliveries;
use crate::db::{self, Pool};
use crate::error::{AppError, AppResult};
use crate::reports::push::DeliveryStatus;

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = signal_deliveries)]
pub struct SignalDelivery {
    #[serde(rename = "key")]
    pub signal_key: String,
    pub kind: String,
    #[serde(skip)]
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    #[serde(with = "crate::clock::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub next_attempt_at: i64,
    #[serde(with = "crate::clock::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub delivered_at: Option<i64>,
}

/// What the webhook receives: the signal, its reason, and the page behind it.
pub fn payload(s: &Signal, base_url: &str) -> String {
    serde_json::json!({
        "signal": s,
        "reason": reason::text(s),
        "url": format!("{base_url}{}", s.link),
    })
    .to_string()
}

/// Records every signal not seen before as a pending delivery; returns how many were new.
pub fn record_new(c: &mut crate::db::DbConnection, signals: &[Signal], base_url: &str, now: i64) -> AppResult<usize> {
    db::write_tx(c, |c| {
        let keys: Vec<&str> = signals.iter().map(|s| s.key.as_str()).collect();
        let mut known = std::collections::HashSet::new();
        for chunk in keys.chunks(500) {
            let seen: Vec<String> = signal_deliveries::table
                .filter(signal_deliveries::signal_key.eq_any(chunk))
                .select(signal_deliveries::signal_key)
                .load(c)?;
            known.extend(seen);
        }
        let mut n = 0;
        for s in signals.iter().filter(|s| !known.contains(&s.key)) {
            diesel::insert_into(signal_deliveries::table)
                .values((
                    signal_deliveries::signal_key.eq(&s.key),
                    signal_deliveries::kind.eq(s.kind.as_str()),
                    signal_deliveries::payload.eq(payload(s, base_url)),
                    signal_deliveries::status.eq(DeliveryStatus::Pending),
                    signal_deliveries::next_attempt_at.eq(now),
                    signal_deliveries::created_at.eq(now),
                ))
                .execute(c)?;
            n += 1;
        }
        Ok(n)
    })
}

#[derive(Debug, Default, Clone, Copy, Serialize, utoipa::ToSchema)]
#[schema(as = SignalPushSummary)]
pub struct PushSummary {
    pub new: usize,
    pub delivered: usize,
    pub pending: usize,
}

/// Tries every pending delivery that is due, each up to `attempts_per_run` times with
/// doubling waits, recording each attempt.
pub async fn deliver_due(pool: &Pool, settings: &SignalSettings, clock: &Clock) -> AppResult<PushSummary> {
    let endpoint = settings.webhook.trim().to_string();
    if endpoint.is_empty() {
        return Err(AppError::unprocessable("signals.webhook is not configured"));
    }
    let now = clock.now_ts();
    let due: Vec<SignalDelivery> = db::run(pool, move |c| {
        Ok(signal_deliveries::table
            .filter(signal_deliveries::status.eq(DeliveryStatus::Pending))
            .filter(signal_deliveries::next_attempt_at.le(now))
            .order((signal_deliveries::created_at, signal_deliveries::signal_key))
            .limit(1000)
            .select(SignalDelivery::as_select())
            .load(c)?)
    })
    .await?;
    let client = crate::webhook::client(Duration::from_millis(settings.timeout_ms))?;
    let mut summary = PushSummary::default();
    let retries = (settings.attempts_per_run, Duration::from_millis(settings.retry_base_ms));
    for d in due {
        let delivered =
            crate::webhook::post_with_retries(&client, &endpoint, &d.signal_key, &d.payload, retries, |error| {
                let (key, now, backoff) =
                    (d.signal_key.clone(), clock.now_ts(), crate::webhook::backoff_secs(d.attempts));
                db::run(pool, move |c| {
                    let q = signal_deliveries::table.find(&key);
                    match error {
                        None => diesel::update(q)
                            .set((
                                signal_deliveries::status.eq(DeliveryStatus::Delivered),
                                signal_deliveries::attempts.eq(signal_deliveries::attempts + 1),
                                signal_deliveries::delivered_at.eq(now),
                                signal_deliveries::last_error.eq(None::<String>),
                            ))
                            .execute(c)?,
                        Some(why) => diesel::update(q)
                            .set((
                                signal_deliveries::attempts.eq(signal_deliveries::attempts + 1),
                                signal_deliveries::last_error.eq(why),
                                signal_deliveries::next_attempt_at.eq(now + backoff),
                            ))
                            .execute(c)?,
                    };
                    Ok(())
                })
            })
            .await?;
        if delivered {
            summary.delivered += 1;
        } else {
            tracing::warn!(kind = %d.kind, "signal delivery failed; it stays pending and is retried");
            summary.pending += 1;
        }
    }
    Ok(summary)
}

/// One run: record the signals that are new now, then deliver what is due.
pub async fn run(pool: &Pool, settings: &SignalSettings, base_url: &str, clock: &Clock) -> AppResult<PushSummary> {
    let (s, base, now) = (settings.clone(), base_url.to_string(), clock.now_ts());
    let new = db::run(pool, move |c| {
        let signals = current(c, now, &s, &super::Scope::All)?;
        record_new(c, &signals, &base, now)
    })
    .await?;
    let mut summary = deliver_due(pool, settings, clock).await?;
    summary.new = new;
    Ok(summary)
}

/// The record of pushed signals, newest first.
pub async fn list(pool: &Pool, limit: i64) -> AppResult<Vec<SignalDelivery>> {
    db::run(pool, move |c| {
        Ok(signal_deliveries::table
            .order((signal_deliveries::created_at.desc(), signal_deliveries::signal_key))
            .limit(limit)
            .select(SignalDelivery::as_select())
            .load(c)?)
    })
    .await
}
