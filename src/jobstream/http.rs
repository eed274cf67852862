use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;

use super::{runs, status, sync};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Clash, Fault};
use crate::state::AppState;

crate::api_handlers!(show, start);

/// `GET /api/v1/jobstream`: where reading Platsbanken stands (position, last success, the
/// last error) and the latest runs with their counts. Staff only.
#[utoipa::path(
    tag = "jobstream",
    summary = "Reading Platsbanken from JobStream: status (off, never_run, ok, failing), position, last success and error, and the latest runs with their counts and problems (ad id, field, kind; never a value)",
    description = "Roles: admin, broker, officer, manager.",
    responses(
        (status = 200, description = "OK", body = JobStreamView),
    ),
)]
#[get("/api/v1/jobstream")]
async fn show(state: web::Data<AppState>, who: Principal) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin, Role::Manager, Role::Broker, Role::Officer])?;
    let (settings, now) = (state.settings.jobstream.clone(), state.clock.now_ts());
    let (status, runs) = db::run(&state.pool, move |c| Ok((status(c, &settings, now)?, runs(c, 20)?))).await?;
    Ok(HttpResponse::Ok().json(JobStreamView { status, runs }))
}

/// How reading Platsbanken goes, and its latest runs.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct JobStreamView {
    status: super::Status,
    runs: Vec<super::Run>,
}

/// A sync was started in the background.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct SyncStarted {
    #[schema(value_type = String, example = "started")]
    status: &'static str,
    snapshot: bool,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct SyncQuery {
    #[serde(default)]
    snapshot: Option<String>,
}

/// `POST /api/v1/jobstream/sync[?snapshot=true]`: an admin starts a sync now (202); it runs
/// in the background, and `GET /api/v1/jobstream` shows its run when it is done.
#[utoipa::path(
    tag = "jobstream",
    summary = "Start a sync now in the background (202); ?snapshot=true reads all of Platsbanken again and closes openings whose ads are gone. 409 while one runs",
    description = "Roles: admin.",
    params(
        SyncQuery,
    ),
    responses(
        (status = 202, description = "OK", body = SyncStarted),
    ),
)]
#[post("/api/v1/jobstream/sync")]
async fn start(state: web::Data<AppState>, who: Principal, q: web::Query<SyncQuery>) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let snapshot = match q.snapshot.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(AppError::field("snapshot", Fault::Format, "must be true or false")),
    };
    if !state.settings.jobstream.enabled() {
        return Err(AppError::field(
            "jobstream.base_url",
            Fault::Required,
            "reading Platsbanken is off: set jobstream.base_url",
        ));
    }
    let (settings, now) = (state.settings.jobstream.clone(), state.clock.now_ts());
    let current = db::run(&state.pool, move |c| status(c, &settings, now)).await?;
    if current.running {
        return Err(AppError::conflict(Clash::ChangedMeanwhile, "a sync is already running"));
    }
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = sync(&state.pool, &state.settings.jobstream, &state.clock, snapshot).await {
            tracing::warn!(error = %e, "a JobStream sync started by an admin failed");
        }
    });
    Ok(HttpResponse::Accepted().json(SyncStarted { status: "started", snapshot }))
}
