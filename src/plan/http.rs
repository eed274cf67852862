//! The plan, activities, attendance and declines (`/api/v1/seekers/{id}/plan` and beside it),
//! and the plan status the assistance case system reads.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

use super::service;
use super::{ActivityInput, ActivityView, AttendanceInput, AttendanceRow, DeclineInput, PlanInput};
use crate::audit::Action;
use crate::auth::{Principal, Role};
use crate::clock::Month;
use crate::db;
use crate::error::{AppError, AppResult, Fault, Thing};
use crate::http::{Json, created};
use crate::privacy::Reader;
use crate::state::AppState;

crate::api_handlers!(
    get_plan,
    put_plan,
    plan_history,
    add_activity,
    list_activities,
    patch_activity,
    delete_activity,
    record_day,
    record_week,
    read_attendance,
    add_decline,
    list_declines,
    status_of_seeker,
    status_by_personnummer,
);

fn reader(state: &AppState, who: Principal, action: Action) -> AppResult<Reader> {
    who.require(Role::CASEWORK)?;
    Ok(Reader::new(who, action, &state.clock))
}

fn month_of(state: &AppState, raw: Option<&str>) -> AppResult<Month> {
    match raw {
        None => Ok(Month::of(state.clock.today())),
        Some(m) => Month::parse(m).ok_or_else(|| AppError::field("month", Fault::Format, "must be a month, YYYY-MM")),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct MonthQuery {
    /// YYYY-MM; the running month when left out.
    month: Option<String>,
}

#[utoipa::path(
    tag = "plan",
    summary = "The person's current labour-market plan (audited); a person of another unit needs X-Access-Reason",
    description = "Roles: admin, broker, officer. 404 `plan` while the person has none.",
    params(("id" = String, Path), crate::http::AccessReason),
    responses((status = 200, description = "OK", body = crate::plan::Plan)),
)]
#[get("/api/v1/seekers/{id}/plan")]
async fn get_plan(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    action: Action,
) -> AppResult<HttpResponse> {
    let r = reader(&state, who, action)?;
    let plan = db::run(&state.pool, move |c| service::current(c, &r, &id)).await?;
    Ok(HttpResponse::Ok().json(plan.ok_or(AppError::NotFound(Thing::Plan))?))
}

#[utoipa::path(
    tag = "plan",
    summary = "Write the plan: a new version, every earlier one kept with who and when",
    description = "Roles: admin, broker, officer. `agreed_how` goes with `agreed_on`; a plan without `agreed_on` is a draft (not active).",
    params(("id" = String, Path), crate::http::AccessReason),
    request_body = crate::plan::PlanInput,
    responses((status = 200, description = "OK", body = crate::plan::Plan)),
)]
#[put("/api/v1/seekers/{id}/plan")]
async fn put_plan(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<PlanInput>,
    action: Action,
) -> AppResult<HttpResponse> {
    let r = reader(&state, who, action)?;
    let plan = db::run(&state.pool, move |c| service::put(c, &r, &id, body.0)).await?;
    Ok(HttpResponse::Ok().json(plan))
}

#[utoipa::path(
    tag = "plan",
    summary = "Every version of the plan, newest first",
    description = "Roles: admin, broker, officer.",
    params(("id" = String, Path), crate::http::AccessReason),
    responses((status = 200, description = "OK", body = Vec<crate::plan::Plan>)),
)]
#[get("/api/v1/seekers/{id}/plan/history")]
async fn plan_history(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    action: Action,
) -> AppResult<HttpResponse> {
    let r = reader(&state, who, action)?;
    let versions = db::run(&state.pool, move |c| service::history(c, &r, &id)).await?;
    Ok(HttpResponse::Ok().json(versions))
}

#[utoipa::path(
    tag = "plan",
    summary = "Add an activity (praktik, SFI, a course…) with its hours and weekdays",
    description = "Roles: admin, broker, officer.",
    params(("id" = String, Path), crate::http::AccessReason),
    request_body = crate::plan::ActivityInput,
    responses((status = 201, description = "OK", body = crate::plan::ActivityView)),
)]
#[post("/api/v1/seekers/{id}/activities")]
async fn add_activity(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<ActivityInput>,
    action: Action,
) -> AppResult<HttpResponse> {
    let r = reader(&state, who, action)?;
    let a = db::run(&state.pool, move |c| service::add_activity(c, &r, &id, body.0)).await?;
    Ok(created(&ActivityView::from(a)))
}

#[utoipa::path(
    tag = "plan",
    summary = "The person's activities, the latest starting first",
    description = "Roles: admin, broker, officer.",
    params(("id" = String, Path), crate::http::AccessReason),
    responses((status = 200, description = "OK", body = Vec<crate::plan::ActivityView>)),
)]
#[get("/api/v1/seekers/{id}/activities")]
async fn list_activities(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    action: Action,
) -> AppResult<HttpResponse> {
    let r = reader(&state, who, action)?;
    let items = db::run(&state.pool, move |c| service::activities(c, &r, &id)).await?;
    Ok(HttpResponse::Ok().json(items.into_iter().map(ActivityView::from).collect::<Vec<_>>()))
}

#[utoipa::path(
    tag = "plan",
    summary = "Change an activity (JSON merge patch, checked whole); from/to cannot leave recorded days outside",
    description = "Roles: admin, broker, officer.",
    params(("id" = String, Path), crate::http::AccessReason),
    request_body = Object,
    responses((status = 200, description = "OK", body = crate::plan::ActivityView)),
)]
#[patch("/api/v1/activities/{id}")]
async fn patch_activity(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<Value>,
    action: Action,
) -> AppResult<HttpResponse> {
    let r = reader(&state, who, action)?;
    if !body.0.is_object() {
        return Err(AppError::field("body", Fault::Format, "must be a JSON object"));
    }
    let a = db::run(&state.pool, move |c| service::patch_activity(c, &r, &id, &body.0)).await?;
    Ok(HttpResponse::Ok().json(ActivityView::from(a)))
}

#[utoipa::path(
    tag = "plan",
    summary = "Remove an activity entered by mistake; 409 has_attendance when days are recorded (end it with `to` instead)",
    description = "Roles: admin, broker, officer.",
    params(("id" = String, Path), crate::http::AccessReason),
    responses((status = 204, description = "Removed")),
)]
#[delete("/api/v1/activities/{id}")]
async fn delete_activity(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    action: Action,
) -> AppResult<HttpResponse> {
    let r = reader(&state, who, action)?;
    db::run(&state.pool, move |c| service::delete_activity(c, &r, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

fn date_of(raw: &str) -> AppResult<NaiveDate> {
    raw.parse().map_err(|_| AppError::field("date", Fault::Format, "must be a date, YYYY-MM-DD"))
}

#[utoipa::path(
    tag = "plan",
    summary = "Record one day of an activity: present, valid or invalid absence, with hours (every change kept)",
    description = "Roles: admin, broker, officer. A date outside the activity's from/to or in the future is 422.",
    params(("id" = String, Path), ("date" = String, Path, description = "YYYY-MM-DD"), crate::http::AccessReason),
    request_body = crate::plan::AttendanceInput,
    responses((status = 200, description = "OK", body = crate::plan::Attendance)),
)]
#[put("/api/v1/activities/{id}/attendance/{date}")]
async fn record_day(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(String, String)>,
    body: Json<AttendanceInput>,
    action: Action,
) -> AppResult<HttpResponse> {
    let r = reader(&state, who, action)?;
    let (id, date) = path.into_inner();
    let date = date_of(&date)?;
    let day = db::run(&state.pool, move |c| service::record(c, &r, &id, date, &body.0)).await?;
    Ok(HttpResponse::Ok().json(day))
}

/// A group's week at once.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AttendanceBatch {
    rows: Vec<AttendanceRow>,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct Recorded {
    rows: Vec<crate::plan::Attendance>,
}

#[utoipa::path(
    tag = "plan",
    summary = "Record many days at once (a group's week): all rows or none",
    description = "Roles: admin, broker, officer. Problems name the row: `rows[i].field`.",
    request_body = AttendanceBatch,
    responses((status = 200, description = "OK", body = Recorded)),
)]
#[post("/api/v1/attendance")]
async fn record_week(
    state: web::Data<AppState>,
    who: Principal,
    batch: Json<AttendanceBatch>,
    action: Action,
) -> AppResult<HttpResponse> {
    let r = reader(&state, who, action)?;
    let batch = batch.0;
    let rows = db::run(&state.pool, move |c| service::record_many(c, &r, &batch.rows)).await?;
    Ok(HttpResponse::Ok().json(Recorded { rows }))
}

#[utoipa::path(
    tag = "plan",
    summary = "The person's recorded attendance in a month",
    description = "Roles: admin, broker, officer.",
    params(("id" = String, Path), MonthQuery, crate::http::AccessReason),
    responses((status = 200, description = "OK", body = Vec<crate::plan::Attendance>)),
)]
#[get("/api/v1/seekers/{id}/attendance")]
async fn read_attendance(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    q: web::Query<MonthQuery>,
    action: Action,
) -> AppResult<HttpResponse> {
    let m = month_of(&state, q.month.as_deref())?;
    let r = reader(&state, who, action)?;
    let days = db::run(&state.pool, move |c| service::attendance(c, &r, &id, m)).await?;
    Ok(HttpResponse::Ok().json(days))
}

#[utoipa::path(
    tag = "plan",
    summary = "Record a declined offer (a job, an activity, a meeting) and whether the reason was accepted",
    description = "Roles: admin, broker, officer.",
    params(("id" = String, Path), crate::http::AccessReason),
    request_body = crate::plan::DeclineInput,
    responses((status = 201, description = "OK", body = crate::plan::Decline)),
)]
#[post("/api/v1/seekers/{id}/declines")]
async fn add_decline(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    body: Json<DeclineInput>,
    action: Action,
) -> AppResult<HttpResponse> {
    let r = reader(&state, who, action)?;
    let d = db::run(&state.pool, move |c| service::decline(c, &r, &id, &body.0)).await?;
    Ok(created(&d))
}

#[utoipa::path(
    tag = "plan",
    summary = "The person's declined offers, the latest first",
    description = "Roles: admin, broker, officer.",
    params(("id" = String, Path), crate::http::AccessReason),
    responses((status = 200, description = "OK", body = Vec<crate::plan::Decline>)),
)]
#[get("/api/v1/seekers/{id}/declines")]
async fn list_declines(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    action: Action,
) -> AppResult<HttpResponse> {
    let r = reader(&state, who, action)?;
    let items = db::run(&state.pool, move |c| service::declines(c, &r, &id)).await?;
    Ok(HttpResponse::Ok().json(items))
}

/// The case system reads under the configured legal basis (kept with each audit row); staff
/// read as any read of a person.
fn status_reader(state: &AppState, who: Principal, action: Action) -> AppResult<Reader> {
    if who.role == Role::CaseSystem {
        let basis = Some(state.settings.plan_status.legal_basis.clone());
        return Ok(Reader::new(who, action.with_reason(basis), &state.clock));
    }
    reader(state, who, action)
}

#[utoipa::path(
    tag = "plan",
    summary = "The plan status for a month: active plan, planned and attended hours, absences, unjustified declines, last contact",
    description = "Roles: case_system, admin, broker, officer. Every read is audited; the case system's with the legal basis `plan_status.legal_basis`.",
    params(("id" = String, Path), MonthQuery, crate::http::AccessReason),
    responses((status = 200, description = "OK", body = crate::plan::status::PlanStatus)),
)]
#[get("/api/v1/seekers/{id}/plan-status")]
async fn status_of_seeker(
    state: web::Data<AppState>,
    who: Principal,
    id: web::Path<String>,
    q: web::Query<MonthQuery>,
    action: Action,
) -> AppResult<HttpResponse> {
    let m = month_of(&state, q.month.as_deref())?;
    let r = status_reader(&state, who, action)?;
    let status = db::run(&state.pool, move |c| service::status(c, &r, &id, m)).await?;
    Ok(HttpResponse::Ok().json(status))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ByPersonnummer {
    /// 12 digits, or YYMMDD-NNNN.
    personnummer: Option<String>,
    /// YYYY-MM; the running month when left out.
    month: Option<String>,
}

#[utoipa::path(
    tag = "plan",
    summary = "The plan status for a month, found by personnummer (what the case system knows)",
    description = "Roles: case_system, admin, broker, officer. 404 `seeker` when nobody with the personnummer is registered.",
    params(ByPersonnummer),
    responses((status = 200, description = "OK", body = crate::plan::status::PlanStatus)),
)]
#[get("/api/v1/plan-status")]
async fn status_by_personnummer(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<ByPersonnummer>,
    action: Action,
) -> AppResult<HttpResponse> {
    let m = month_of(&state, q.month.as_deref())?;
    let r = status_reader(&state, who, action)?;
    let raw = q.personnummer.as_deref().unwrap_or_default();
    if raw.trim().is_empty() {
        return Err(AppError::field("personnummer", Fault::Required, "is required"));
    }
    let pnr = crate::ident::normalize_personnummer(raw, state.clock.today())
        .map_err(|(fault, message)| AppError::field("personnummer", fault, message))?;
    let status = db::run(&state.pool, move |c| service::status_by_personnummer(c, &r, &pnr, m)).await?;
    Ok(HttpResponse::Ok().json(status))
}
