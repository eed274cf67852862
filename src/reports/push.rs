//! Pushing a month's figures to the process-metrics endpoint: one delivery per unit and
//! month through the one delivery loop (`deliveries`), with a fixed idempotency key, retried
//! with backoff, and never silently dropped (what fails stays pending for the schedule).

use serde::Serialize;

use super::{Month, monthly};
use crate::config::ReportSettings;
use crate::db::{self, Pool};
use crate::deliveries::{self, Channel, Target};
use crate::error::{AppError, AppResult};

pub use crate::deliveries::DeliveryStatus;

/// A unit's month as pushed, for the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Delivery {
    pub id: String,
    pub unit: String,
    pub month: String,
    pub idempotency_key: String,
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

impl From<deliveries::Delivery> for Delivery {
    fn from(d: deliveries::Delivery) -> Self {
        let month = d.idempotency_key.rsplit(':').next().unwrap_or_default().to_string();
        Delivery {
            id: d.id,
            unit: d.subject,
            month,
            idempotency_key: d.idempotency_key,
            status: d.status,
            attempts: d.attempts,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at,
            delivered_at: d.delivered_at,
        }
    }
}

pub fn idempotency_key(unit: &str, month: Month) -> String {
    deliveries::key(Channel::Report, &format!("{unit}:{month}"))
}

/// Queues the month's figures, one delivery per unit; a pending one takes the newest figures
/// and a delivered one is left alone. Answers how many are queued to go.
pub async fn prepare(pool: &Pool, month: Month, now: i64) -> AppResult<usize> {
    db::run(pool, move |c| {
        let report = monthly(c, month, None, now)?;
        db::write_tx(c, |c| {
            let mut n = 0;
            for u in &report.units {
                let payload =
                    serde_json::json!({ "month": report.month, "unit": u.unit, "figures": u.figures }).to_string();
                let key = idempotency_key(&u.unit, month);
                if deliveries::queue(c, (Channel::Report, &key, &u.unit), &payload, now, now)?
                    != deliveries::Queued::Done
                {
                    n += 1;
                }
            }
            Ok(n)
        })
    })
    .await
}

#[derive(Debug, Default, Clone, Copy, Serialize, utoipa::ToSchema)]
#[schema(as = ReportPushSummary)]
pub struct PushSummary {
    pub delivered: usize,
    pub pending: usize,
}

/// Tries every pending delivery that is due, each up to `attempts_per_run` times.
pub async fn deliver_due(
    pool: &Pool,
    settings: &ReportSettings,
    clock: &crate::clock::Clock,
) -> AppResult<PushSummary> {
    let target = target(settings)?;
    let s = deliveries::deliver_due(pool, Channel::Report, &target, clock, deliveries::stored, 1000).await?;
    Ok(PushSummary { delivered: s.delivered, pending: s.pending })
}

fn target(s: &ReportSettings) -> AppResult<Target> {
    Target::of(&s.metrics_endpoint, s.attempts_per_run, s.retry_base_ms, s.timeout_ms)
        .ok_or_else(|| AppError::unprocessable("reports.metrics_endpoint is not configured"))
}

/// The deliveries of a month (or all), by month and unit.
pub async fn list(pool: &Pool, month: Option<String>) -> AppResult<Vec<Delivery>> {
    db::run(pool, move |c| {
        let suffix = month.map(|m| format!(":{m}"));
        let mut items: Vec<Delivery> = deliveries::list(c, Channel::Report, suffix.as_deref(), 10_000)?
            .into_iter()
            .filter(|d| d.status != DeliveryStatus::Cancelled)
            .map(Delivery::from)
            .collect();
        items.sort_by(|a, b| (&a.month, &a.unit).cmp(&(&b.month, &b.unit)));
        Ok(items)
    })
    .await
}

/// The schedule run by `serve`: on the configured day, prepare last month's deliveries
/// (once: the unique idempotency key makes it idempotent across processes), and retry
/// whatever is pending and due.
pub async fn scheduled(pool: &Pool, settings: &ReportSettings, clock: &crate::clock::Clock) -> AppResult<()> {
    if settings.metrics_endpoint.trim().is_empty() {
        return Ok(());
    }
    let today = clock.today();
    if chrono::Datelike::day(&today) >= settings.push_day_of_month {
        let last = Month::of(today).previous();
        let suffix = format!(":{last}");
        let exists =
            db::run(pool, move |c| Ok(!deliveries::list(c, Channel::Report, Some(&suffix), 1)?.is_empty())).await?;
        if !exists {
            prepare(pool, last, clock.now_ts()).await?;
        }
    }
    deliver_due(pool, settings, clock).await?;
    Ok(())
}
