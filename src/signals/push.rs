//! Pushing new signals to the signal webhook. A signal seen for the first time is recorded
//! under its key (one row per key across processes and runs, by the primary key), then
//! delivered with the key as `Idempotency-Key`, retried with backoff; what fails stays
//! pending for the next run, never dropped.

use serde::Serialize;

use super::{Signal, current, reason};
use crate::clock::Clock;
use crate::config::SignalSettings;
use crate::db::{self, Pool};
use crate::deliveries::{self, Channel, DeliveryStatus, Target};
use crate::error::{AppError, AppResult};

/// A signal as pushed, for the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignalDelivery {
    #[serde(rename = "key")]
    pub signal_key: String,
    pub kind: String,
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

impl From<deliveries::Delivery> for SignalDelivery {
    fn from(d: deliveries::Delivery) -> Self {
        SignalDelivery {
            signal_key: d.idempotency_key,
            kind: d.subject,
            status: d.status,
            attempts: d.attempts,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at,
            delivered_at: d.delivered_at,
        }
    }
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

/// Records every signal not seen before as a pending delivery (its own key is the
/// idempotency key); returns how many were new.
pub fn record_new(c: &mut crate::db::DbConnection, signals: &[Signal], base_url: &str, now: i64) -> AppResult<usize> {
    db::write_tx(c, |c| {
        let keys: Vec<&str> = signals.iter().map(|s| s.key.as_str()).collect();
        let known = deliveries::known(c, &keys)?;
        let mut n = 0;
        for s in signals.iter().filter(|s| !known.contains(&s.key)) {
            deliveries::queue(c, (Channel::Signal, &s.key, s.kind.as_str()), &payload(s, base_url), now, now)?;
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
    let s = settings;
    let target = Target::of(&s.webhook, s.attempts_per_run, s.retry_base_ms, s.timeout_ms)
        .ok_or_else(|| AppError::unprocessable("signals.webhook is not configured"))?;
    let s = deliveries::deliver_due(pool, Channel::Signal, &target, clock, deliveries::stored, 1000).await?;
    Ok(PushSummary { new: 0, delivered: s.delivered, pending: s.pending })
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
        Ok(deliveries::list(c, Channel::Signal, None, limit)?.into_iter().map(SignalDelivery::from).collect())
    })
    .await
}
