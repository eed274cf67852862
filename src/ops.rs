//! Liveness and readiness for operators and load balancers.

use actix_web::{HttpResponse, get, web};

use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

crate::api_handlers!(healthz, readyz, metrics);

/// Operational figures in Prometheus text format, nothing personal: the process's instruments
/// (request latency per route pattern and status class, database connection wait) and what
/// the database says at this scrape (index and outbox lag, deliveries, tomorrow's free
/// meetings, the last backup). Admins, or the addresses in `metrics.allow` without a token:
/// counts of people are information too.
#[utoipa::path(
    tag = "service",
    summary = "Operational metrics, Prometheus text format (admins, or the addresses in metrics.allow)",
    description = "Roles: admin; or, without a token, a client address listed in `metrics.allow`.",
    responses(
        (status = 200, description = "OK", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 401, description = "No token, from an address not in metrics.allow", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/metrics")]
async fn metrics(state: web::Data<AppState>, req: actix_web::HttpRequest) -> AppResult<HttpResponse> {
    use actix_web::FromRequest;
    if !state.settings.metrics_allow.contains(crate::http::client(&req).ip) {
        crate::auth::Principal::extract(&req).await?.require(&[crate::auth::Role::Admin])?;
    }
    let figures = scrape(&state).await?;
    let mut families = crate::metrics::INSTRUMENTS.registry.gather();
    families.extend(figures.gather());
    families.sort_by(|a, b| a.name().cmp(b.name()));
    let text = prometheus::TextEncoder::new()
        .encode_to_string(&families)
        .map_err(|e| AppError::internal(format!("encoding the metrics: {e}")))?;
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(text))
}

/// The figures read from the database at a scrape, in a registry of their own.
async fn scrape(state: &web::Data<AppState>) -> AppResult<prometheus::Registry> {
    use crate::db::schema::{applications, outbox};
    use diesel::prelude::*;
    let (now, today) = (state.clock.now_ts(), state.clock.today());
    let position = state.search.position();
    let scheduled = state.settings.backup.scheduled();
    let read = db::run(&state.pool, move |c| {
        let head = db::outbox::head(c)?;
        // The oldest event the index does not hold yet: how far behind it is in time.
        let oldest_missing: Option<i64> = outbox::table
            .filter(outbox::id.gt(position))
            .order(outbox::id)
            .select(outbox::created_at)
            .first(c)
            .optional()?;
        let counts = crate::deliveries::counts(c)?;
        let backlogs: Vec<crate::deliveries::Backlog> = crate::deliveries::Channel::PUSHES
            .iter()
            .map(|ch| crate::deliveries::backlog(c, *ch, now))
            .collect::<Result<_, _>>()?;
        let message_counts = crate::messages::send::counts(c)?;
        let message_backlogs = message_backlogs(c, now)?;
        let full: i64 = applications::table.filter(applications::next_day_full.eq(true)).count().get_result(c)?;
        let day = crate::booking::calendar::next_working_day(today);
        let free = crate::booking::slots::free_slots(c, day, now, false)?.len();
        let backup = crate::backup::schedule::status(c, scheduled, now)?;
        Ok(Scrape { head, oldest_missing, counts, backlogs, message_counts, message_backlogs, full, free, backup })
    })
    .await?;
    let r = prometheus::Registry::new();
    let search = &state.search;
    let docs = gauge(&r, "platsa_index_documents", "Documents in this process's search index.", &["index"])?;
    docs.with_label_values(&["seekers"]).set(search.seekers.num_docs() as f64);
    docs.with_label_values(&["openings"]).set(search.openings.num_docs() as f64);
    value(
        &r,
        "platsa_index_outbox_behind",
        "Outbox events not yet in this process's index.",
        (read.head - position).max(0) as f64,
    )?;
    value(
        &r,
        "platsa_index_lag_seconds",
        "Age of the oldest outbox event not yet in this process's index (0: none).",
        read.oldest_missing.map_or(0, |t| (now - t).max(0)) as f64,
    )?;
    let deliveries = gauge(
        &r,
        "platsa_deliveries",
        "Everything sent out (reminders, consent requests, report and signal pushes), by channel and state.",
        &["channel", "status"],
    )?;
    let reports = gauge(&r, "platsa_report_deliveries", "Pushes of monthly figures by state.", &["status"])?;
    use crate::deliveries::Channel;
    for (channel, status, n) in &read.counts {
        let status = status.to_string();
        deliveries.with_label_values(&[channel.to_string().as_str(), status.as_str()]).set(*n as f64);
        if *channel == Channel::Report {
            reports.with_label_values(&[status.as_str()]).set(*n as f64);
        }
    }
    let messages = gauge(
        &r,
        "platsa_messages",
        "Messages to people and employers (SMS, e-mail) by channel and state.",
        &["channel", "state"],
    )?;
    for (channel, state, n) in &read.message_counts {
        messages.with_label_values(&[channel.as_str(), state.as_str()]).set(*n as f64);
    }
    let behind = gauge(
        &r,
        "platsa_messages_overdue",
        "Messages due and not yet handed to their gateway (or being retried), by channel.",
        &["channel"],
    )?;
    let failed = gauge(
        &r,
        "platsa_messages_failed_last_day",
        "Messages failed in the last 24 hours, by channel.",
        &["channel"],
    )?;
    for b in &read.message_backlogs {
        behind.with_label_values(&[b.channel.as_str()]).set(b.overdue as f64);
        failed.with_label_values(&[b.channel.as_str()]).set(b.failed_last_day as f64);
    }
    let overdue = gauge(
        &r,
        "platsa_deliveries_overdue",
        "Deliveries due or failed and not yet delivered, by channel (what /readyz calls behind).",
        &["channel"],
    )?;
    for b in &read.backlogs {
        overdue.with_label_values(&[b.channel.to_string().as_str()]).set(b.overdue as f64);
    }
    // A count that only grows (read from the applications, so the same in every process).
    let name = "platsa_applications_next_day_full_total";
    let full = prometheus::IntCounter::new(name, "Applications whose next working day had no three free meetings.")
        .map_err(metric_error(name))?;
    full.inc_by(read.full.max(0) as u64);
    r.register(Box::new(full)).map_err(metric_error(name))?;
    value(
        &r,
        "platsa_booking_free_slots_next_working_day",
        "Free meeting times on the next working day, across active officers: the supply for tomorrow's applicants.",
        read.free as f64,
    )?;
    let b = &read.backup;
    value(
        &r,
        "platsa_backup_scheduled",
        "1 when serve takes a daily backup (backup.dir is set).",
        f64::from(u8::from(b.scheduled)),
    )?;
    if let Some(last) = &b.last {
        value(
            &r,
            "platsa_backup_last_run_ok",
            "1 when the newest backup run succeeded, 0 when it failed.",
            f64::from(u8::from(last.ok == Some(true))),
        )?;
    }
    if let Some(at) = b.last_ok_at {
        value(
            &r,
            "platsa_backup_last_success_age_seconds",
            "Seconds since the newest successful backup finished.",
            (now - at).max(0) as f64,
        )?;
        value(
            &r,
            "platsa_backup_last_success_timestamp_seconds",
            "When the newest successful backup finished (unix time).",
            at as f64,
        )?;
    }
    Ok(r)
}

struct Scrape {
    head: i64,
    oldest_missing: Option<i64>,
    counts: Vec<(crate::deliveries::Channel, crate::deliveries::DeliveryStatus, i64)>,
    backlogs: Vec<crate::deliveries::Backlog>,
    message_counts: Vec<(crate::messages::Channel, crate::messages::MessageState, i64)>,
    message_backlogs: Vec<crate::messages::send::MessageBacklog>,
    full: i64,
    free: usize,
    backup: crate::backup::schedule::Status,
}

/// A gauge with labels, registered; the caller sets a value per label set.
fn gauge(r: &prometheus::Registry, name: &str, help: &str, labels: &[&str]) -> AppResult<prometheus::GaugeVec> {
    let g = prometheus::GaugeVec::new(prometheus::Opts::new(name, help), labels).map_err(metric_error(name))?;
    r.register(Box::new(g.clone())).map_err(metric_error(name))?;
    Ok(g)
}

/// A gauge without labels, registered with its value.
fn value(r: &prometheus::Registry, name: &str, help: &str, v: f64) -> AppResult<()> {
    let g = prometheus::Gauge::new(name, help).map_err(metric_error(name))?;
    g.set(v);
    r.register(Box::new(g)).map_err(metric_error(name))
}

fn metric_error(name: &str) -> impl Fn(prometheus::Error) -> AppError + '_ {
    move |e| AppError::internal(format!("metric {name}: {e}"))
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
    let scheduled = state.settings.backup.scheduled();
    let (head, (backlogs, message_backlogs), jobstream, backup) = db::run(&state.pool, move |c| {
        db::ping(c)?;
        let backlogs: Vec<crate::deliveries::Backlog> = crate::deliveries::Channel::PUSHES
            .iter()
            .map(|ch| crate::deliveries::backlog(c, *ch, now))
            .collect::<Result<_, _>>()?;
        Ok((
            db::outbox::head(c)?,
            (backlogs, message_backlogs(c, now)?),
            crate::jobstream::status(c, &jobstream_settings, now)?,
            crate::backup::schedule::status(c, scheduled, now)?,
        ))
    })
    .await
    .map_err(|e| AppError::Unavailable(format!("database ({backend}) unreachable: {e}")))?;
    let search = &state.search;
    let position = search.position();
    let version = crate::reference::reference().version;
    let gateways = crate::messages::gateway::Gateways::from_settings(&state.settings);
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
            messages: message_backlogs
                .into_iter()
                .map(|b| {
                    let gateway_configured = gateways.configured(b.channel);
                    MessageCheck {
                        status: if b.failed_last_day > 0 {
                            "failing"
                        } else if b.overdue > 0 || !gateway_configured {
                            "behind"
                        } else {
                            "ok"
                        },
                        channel: b.channel,
                        overdue: b.overdue,
                        failed_last_day: b.failed_last_day,
                        last_error: b.last_error,
                        gateway_configured,
                    }
                })
                .collect(),
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
            backup,
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
    /// Messages to people and employers per channel: due and not yet sent (or retried), failed
    /// in the last day (`failing`), and whether a gateway is set (`behind` without one).
    messages: Vec<MessageCheck>,
    /// Pushes of figures and signals, per channel (one delivery loop): what is due or failed and not yet
    /// delivered, and the last error.
    deliveries: Vec<DeliveryCheck>,
    /// Reading Platsbanken: failures show here (the service still answers; openings already
    /// read stay usable).
    jobstream: crate::jobstream::Status,
    /// Backups: the newest run and the newest successful one; `failed` or `stale` (none for
    /// 26 hours while daily backups are on) is also the admins' signal.
    backup: crate::backup::schedule::Status,
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
struct MessageCheck {
    channel: crate::messages::Channel,
    /// `ok`; `behind` when messages wait (or no gateway is set); `failing` when some failed
    /// in the last day.
    #[schema(value_type = String)]
    status: &'static str,
    overdue: i64,
    failed_last_day: i64,
    last_error: Option<String>,
    gateway_configured: bool,
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
        Channel::Reminder | Channel::Consent => "",
        Channel::Report => &s.reports.metrics_endpoint,
        Channel::Signal => &s.signals.webhook,
    }
}

/// Every message channel's backlog.
fn message_backlogs(c: &mut db::DbConnection, now: i64) -> AppResult<Vec<crate::messages::send::MessageBacklog>> {
    crate::messages::Channel::ALL
        .iter()
        .map(|ch| crate::messages::send::backlog(c, *ch, now).map_err(AppError::from))
        .collect()
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
