//! Pushing a month's figures to the process-metrics endpoint: one delivery per unit and
//! month, recorded in the database with a fixed idempotency key, retried with backoff, and
//! never silently dropped (what fails stays pending for the schedule to retry).

use std::time::Duration;

use diesel::prelude::*;
use serde::Serialize;

use super::{Month, monthly};
use crate::config::ReportSettings;
use crate::db::schema::report_deliveries;
use crate::db::{self, Pool, new_id};
use crate::error::{AppError, AppResult};

crate::text_enum! {
    /// A monthly push: waiting (and retried) or delivered.
    pub enum DeliveryStatus {
        Pending = "pending",
        Delivered = "delivered",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = report_deliveries)]
pub struct Delivery {
    pub id: String,
    pub unit: String,
    pub month: String,
    pub idempotency_key: String,
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

pub fn idempotency_key(unit: &str, month: Month) -> String {
    format!("platsa-report:{unit}:{month}")
}

/// Records a pending delivery for each unit of the month (a unit already delivered is left
/// alone; a pending one gets the current figures).
pub async fn prepare(pool: &Pool, month: Month, now: i64) -> AppResult<usize> {
    db::run(pool, move |c| {
        let report = monthly(c, month, None, now)?;
        db::write_tx(c, |c| {
            let mut n = 0;
            for u in &report.units {
                let payload =
                    serde_json::json!({ "month": report.month, "unit": u.unit, "figures": u.figures }).to_string();
                let existing: Option<DeliveryStatus> = report_deliveries::table
                    .filter(report_deliveries::unit.eq(&u.unit))
                    .filter(report_deliveries::month.eq(&report.month))
                    .select(report_deliveries::status)
                    .first(c)
                    .optional()?;
                match existing {
                    Some(DeliveryStatus::Delivered) => {}
                    Some(_) => {
                        diesel::update(
                            report_deliveries::table
                                .filter(report_deliveries::unit.eq(&u.unit))
                                .filter(report_deliveries::month.eq(&report.month)),
                        )
                        .set((report_deliveries::payload.eq(&payload), report_deliveries::next_attempt_at.eq(now)))
                        .execute(c)?;
                        n += 1;
                    }
                    None => {
                        diesel::insert_into(report_deliveries::table)
                            .values((
                                report_deliveries::id.eq(new_id()),
                                report_deliveries::unit.eq(&u.unit),
                                report_deliveries::month.eq(&report.month),
                                report_deliveries::idempotency_key.eq(idempotency_key(&u.unit, month)),
                                report_deliveries::payload.eq(&payload),
                                report_deliveries::status.eq(DeliveryStatus::Pending),
                                report_deliveries::next_attempt_at.eq(now),
                                report_deliveries::created_at.eq(now),
                            ))
                            .execute(c)?;
                        n += 1;
                    }
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

/// Tries every pending delivery that is due, each up to `attempts_per_run` times with
/// doubling waits; records every attempt.
pub async fn deliver_due(
    pool: &Pool,
    settings: &ReportSettings,
    clock: &crate::clock::Clock,
) -> AppResult<PushSummary> {
    let endpoint = settings.metrics_endpoint.trim().to_string();
    if endpoint.is_empty() {
        return Err(AppError::unprocessable("reports.metrics_endpoint is not configured"));
    }
    let now = clock.now_ts();
    let due: Vec<Delivery> = db::run(pool, move |c| {
        Ok(report_deliveries::table
            .filter(report_deliveries::status.eq(DeliveryStatus::Pending))
            .filter(report_deliveries::next_attempt_at.le(now))
            .order(report_deliveries::created_at)
            .select(Delivery::as_select())
            .load(c)?)
    })
    .await?;
    let client = crate::webhook::client(Duration::from_millis(settings.timeout_ms))?;
    let mut summary = PushSummary::default();
    let retries = (settings.attempts_per_run, Duration::from_millis(settings.retry_base_ms));
    for d in due {
        let delivered =
            crate::webhook::post_with_retries(&client, &endpoint, &d.idempotency_key, &d.payload, retries, |error| {
                let (id, now) = (d.id.clone(), clock.now_ts());
                let backoff = (settings.retry_base_ms as i64 / 1000).max(1) * 60 * (1 << (d.attempts.clamp(0, 10)));
                db::run(pool, move |c| {
                    let q = report_deliveries::table.find(&id);
                    match error {
                        None => diesel::update(q)
                            .set((
                                report_deliveries::status.eq(DeliveryStatus::Delivered),
                                report_deliveries::attempts.eq(report_deliveries::attempts + 1),
                                report_deliveries::delivered_at.eq(now),
                                report_deliveries::last_error.eq(None::<String>),
                            ))
                            .execute(c)?,
                        Some(why) => diesel::update(q)
                            .set((
                                report_deliveries::attempts.eq(report_deliveries::attempts + 1),
                                report_deliveries::last_error.eq(why),
                                report_deliveries::next_attempt_at.eq(now + backoff),
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
            tracing::warn!(unit = %d.unit, month = %d.month, "report delivery failed; it stays pending and is retried");
            summary.pending += 1;
        }
    }
    Ok(summary)
}

pub async fn list(pool: &Pool, month: Option<String>) -> AppResult<Vec<Delivery>> {
    db::run(pool, move |c| {
        let mut q = report_deliveries::table.into_boxed();
        if let Some(m) = month {
            q = q.filter(report_deliveries::month.eq(m));
        }
        Ok(q.order((report_deliveries::month, report_deliveries::unit)).select(Delivery::as_select()).load(c)?)
    })
    .await
}

/// The schedule run by `serve`: on the configured day, prepare last month's deliveries
/// (once: the unique unit-and-month row makes it idempotent across processes), and retry
/// whatever is pending and due.
pub async fn scheduled(pool: &Pool, settings: &ReportSettings, clock: &crate::clock::Clock) -> AppResult<()> {
    if settings.metrics_endpoint.trim().is_empty() {
        return Ok(());
    }
    let today = clock.today();
    if chrono::Datelike::day(&today) >= settings.push_day_of_month {
        let last = Month::of(today).previous();
        let key = last.to_string();
        let exists: i64 = db::run(pool, move |c| {
            Ok(report_deliveries::table.filter(report_deliveries::month.eq(key)).count().get_result(c)?)
        })
        .await?;
        if exists == 0 {
            prepare(pool, last, clock.now_ts()).await?;
        }
    }
    deliver_due(pool, settings, clock).await?;
    Ok(())
}
