//! Liveness and readiness for operators and load balancers.

use actix_web::{HttpResponse, get, web};

use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

crate::api_handlers!(healthz, readyz, metrics);

/// Requests answered, by status class (1xx…5xx), counted by the request logger.
pub static RESPONSES: [std::sync::atomic::AtomicU64; 5] = [const { std::sync::atomic::AtomicU64::new(0) }; 5];

pub fn count_response(status: u16) {
    if let Some(c) = RESPONSES.get((status / 100).saturating_sub(1) as usize) {
        c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Operational counters in Prometheus text format; nothing personal.
#[utoipa::path(
    tag = "service",
    summary = "Operational counters, Prometheus text format",
    description = "Roles: public.",
    responses(
        (status = 200, description = "OK", body = String, content_type = "text/plain; version=0.0.4"),
    ),
    security(()),
)]
#[get("/metrics")]
async fn metrics(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    use crate::db::schema::applications;
    use diesel::prelude::*;
    let (head, counts, next_day_full) = db::run(&state.pool, |c| {
        let head = db::outbox::head(c)?;
        let counts = crate::deliveries::counts(c)?;
        let full: i64 = applications::table.filter(applications::next_day_full.eq(true)).count().get_result(c)?;
        Ok((head, counts, full))
    })
    .await?;
    let mut out = String::new();
    out.push_str("# HELP platsa_http_responses_total HTTP responses by status class.\n# TYPE platsa_http_responses_total counter\n");
    for (i, c) in RESPONSES.iter().enumerate() {
        out.push_str(&format!(
            "platsa_http_responses_total{{class=\"{}xx\"}} {}\n",
            i + 1,
            c.load(std::sync::atomic::Ordering::Relaxed)
        ));
    }
    let search = &state.search;
    out.push_str("# HELP platsa_index_documents Documents in this process's search index.\n# TYPE platsa_index_documents gauge\n");
    out.push_str(&format!("platsa_index_documents{{index=\"seekers\"}} {}\n", search.seekers.num_docs()));
    out.push_str(&format!("platsa_index_documents{{index=\"openings\"}} {}\n", search.openings.num_docs()));
    out.push_str("# HELP platsa_index_outbox_behind Outbox events not yet in this process's index.\n# TYPE platsa_index_outbox_behind gauge\n");
    out.push_str(&format!("platsa_index_outbox_behind {}\n", (head - search.position()).max(0)));
    out.push_str(
        "# HELP platsa_report_deliveries Pushes of monthly figures by state.\n# TYPE platsa_report_deliveries gauge\n",
    );
    use crate::deliveries::Channel;
    for (_, status, n) in counts.iter().filter(|(ch, _, _)| *ch == Channel::Report) {
        out.push_str(&format!("platsa_report_deliveries{{status=\"{status}\"}} {n}\n"));
    }
    out.push_str("# HELP platsa_reminders Meeting reminders by state.\n# TYPE platsa_reminders gauge\n");
    for (_, status, n) in counts.iter().filter(|(ch, _, _)| *ch == Channel::Reminder) {
        out.push_str(&format!("platsa_reminders{{status=\"{status}\"}} {n}\n"));
    }
    out.push_str("# HELP platsa_deliveries Everything sent out (reminders, consent requests, report and signal pushes), by channel and state.\n# TYPE platsa_deliveries gauge\n");
    for (channel, status, n) in &counts {
        out.push_str(&format!("platsa_deliveries{{channel=\"{channel}\",status=\"{status}\"}} {n}\n"));
    }
    out.push_str("# HELP platsa_applications_next_day_full_total Applications whose next working day had no three free meetings.\n# TYPE platsa_applications_next_day_full_total counter\n");
    out.push_str(&format!("platsa_applications_next_day_full_total {next_day_full}\n"));
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(out))
}

/// Alive: the process answers.
#[utoipa::path(
    tag = "service",
    summary = "Liveness",
    description = "Roles: public.",
    responses(
        (status = 200, description = "OK", body = Health),
    ),
    security(()),
)]
#[get("/healthz")]
async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The process answers.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Health {
    #[schema(value_type = String, example = "ok")]
    status: &'static str,
}

/// Ready: the database answers and the indexes are open; says how far behind the outbox
/// the index is.
#[utoipa::path(
    tag = "service",
    summary = "Readiness: database reachable, index open and how far behind",
    description = "Roles: public.",
    responses(
        (status = 200, description = "OK", body = Ready),
        (status = 503, description = "The database is unreachable", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(()),
)]
#[get("/readyz")]
async fn readyz(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let backend = state.settings.database_url.backend();
    let now = state.clock.now_ts();
    let jobstream_settings = state.settings.jobstream.clone();
    let (head, backlogs, jobstream) = db::run(&state.pool, move |c| {
        db::ping(c)?;
        let backlogs: Vec<crate::deliveries::Backlog> = crate::deliveries::Channel::ALL
            .iter()
            .map(|ch| crate::deliveries::backlog(c, *ch, now))
            .collect::<Result<_, _>>()?;
        Ok((db::outbox::head(c)?, backlogs, crate::jobstream::status(c, &jobstream_settings, now)?))
    })
    .await
    .map_err(|e| AppError::Unavailable(format!("database ({backend}) unreachable: {e}")))?;
    let search = &state.search;
    let position = search.position();
    let version = crate::reference::reference().version;
    Ok(HttpResponse::Ok().json(Ready {
        status: "ready",
        checks: Checks {
            database: DatabaseCheck { status: "ok", backend: backend.to_string() },
            index: IndexCheck {
                status: "ok",
                seekers: search.seekers.num_docs(),
                openings: search.openings.num_docs(),
                position,
                behind: (head - position).max(0),
                rebuilt_because: search.rebuilt_because(),
            },
            reminders: {
                let b = backlogs.iter().find(|b| b.channel == crate::deliveries::Channel::Reminder);
                let (overdue, last_error) = b.map(|b| (b.overdue, b.last_error.clone())).unwrap_or_default();
                RemindersCheck {
                    status: if overdue == 0 { "ok" } else { "behind" },
                    overdue,
                    last_error,
                    webhook_configured: !state.settings.booking.reminder_webhook.trim().is_empty(),
                }
            },
            deliveries: backlogs
                .into_iter()
                .map(|b| DeliveryCheck {
                    status: if b.overdue == 0 { "ok" } else { "behind" },
                    receiver_configured: !receiver(&state.settings, b.channel).trim().is_empty(),
                    channel: b.channel,
                    overdue: b.overdue,
                    last_error: b.last_error,
                })
                .collect(),
            jobstream,
            taxonomy: TaxonomyCheck {
                status: "ok",
                version,
                source: if version.is_some() { "database" } else { "compiled-in" },
            },
        },
    }))
}

/// Ready to serve: the database answers; how current the index and the jobs are.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Ready {
    #[schema(value_type = String, example = "ready")]
    status: &'static str,
    checks: Checks,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct Checks {
    database: DatabaseCheck,
    index: IndexCheck,
    reminders: RemindersCheck,
    /// Everything sent out, per channel (one delivery loop): what is due or failed and not yet
    /// delivered, and the last error.
    deliveries: Vec<DeliveryCheck>,
    /// Reading Platsbanken: failures show here (the service still answers; openings already
    /// read stay usable).
    jobstream: crate::jobstream::Status,
    /// The reference data in force: a stored taxonomy version, or the compiled-in copy.
    taxonomy: TaxonomyCheck,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct DatabaseCheck {
    #[schema(value_type = String, example = "ok")]
    status: &'static str,
    /// `sqlite` or `postgres`.
    backend: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct IndexCheck {
    #[schema(value_type = String, example = "ok")]
    status: &'static str,
    seekers: u64,
    openings: u64,
    /// The outbox position the index includes, and how many events it is behind.
    position: i64,
    behind: i64,
    /// Why this process rebuilt the index when it started, when the index did not belong to
    /// the database (built from another one, or ahead of it after a restore).
    #[schema(value_type = Option<String>)]
    rebuilt_because: Option<&'static str>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct RemindersCheck {
    /// `ok`, or `behind` when reminders are overdue.
    #[schema(value_type = String)]
    status: &'static str,
    overdue: i64,
    last_error: Option<String>,
    webhook_configured: bool,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct DeliveryCheck {
    channel: crate::deliveries::Channel,
    /// `ok`, or `behind` when deliveries are overdue.
    #[schema(value_type = String)]
    status: &'static str,
    overdue: i64,
    last_error: Option<String>,
    receiver_configured: bool,
}

/// Where a channel's deliveries go, from the settings.
fn receiver(s: &crate::config::Settings, channel: crate::deliveries::Channel) -> &str {
    use crate::deliveries::Channel;
    match channel {
        Channel::Reminder => &s.booking.reminder_webhook,
        Channel::Consent => &s.consent.message_webhook,
        Channel::Report => &s.reports.metrics_endpoint,
        Channel::Signal => &s.signals.webhook,
    }
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct TaxonomyCheck {
    #[schema(value_type = String, example = "ok")]
    status: &'static str,
    version: Option<i64>,
    /// `database` (a stored version) or `compiled-in`.
    #[schema(value_type = String)]
    source: &'static str,
}
