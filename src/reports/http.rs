use actix_web::{HttpRequest, HttpResponse, get, http::header, put, web};
use serde::Deserialize;

use super::csv::table;
use super::{Month, TargetInput, monthly, set_target};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Fault};
use crate::http::Json;
use crate::state::AppState;

crate::api_handlers!(put_target, report_csv, report_xlsx, report_json, deliveries);

const READERS: &[Role] = &[Role::Manager, Role::Admin, Role::Broker];

fn month(s: &str, field: &str) -> AppResult<Month> {
    Month::parse(s).ok_or_else(|| AppError::field(field, Fault::Format, "must be a month, YYYY-MM"))
}

#[utoipa::path(
    tag = "targets",
    summary = "Set a unit's monthly target (EOR)",
    description = "Roles: manager, admin.",
    params(
        ("unit" = String, Path),
        ("month" = String, Path),
    ),
    request_body = crate::reports::TargetInput,
    responses(
        (status = 200, description = "OK", body = TargetSet),
    ),
)]
#[put("/api/v1/targets/{unit}/{month}")]
async fn put_target(
    state: web::Data<AppState>,
    who: Principal,
    path: web::Path<(String, String)>,
    body: Json<TargetInput>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Manager, Role::Admin])?;
    let (unit, m) = path.into_inner();
    let m = month(&m, "month")?;
    let now = state.clock.now_ts();
    let input = body.0;
    let (u, by) = (unit.clone(), who.user_id.clone());
    let value = input.exits_to_work_or_studies;
    let note = input.note.clone();
    db::run(&state.pool, move |c| set_target(c, &u, m, &input, &by, now)).await?;
    Ok(HttpResponse::Ok().json(TargetSet { unit, month: m.to_string(), exits_to_work_or_studies: value, note }))
}

/// The target as set.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct TargetSet {
    unit: String,
    /// YYYY-MM.
    month: String,
    exits_to_work_or_studies: i64,
    note: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    pub month: Option<String>,
    pub unit: Option<String>,
}

impl ReportQuery {
    pub fn month(&self, state: &AppState) -> AppResult<Month> {
        match &self.month {
            Some(m) => month(m, "month"),
            None => Ok(Month::of(state.clock.today())),
        }
    }
}

async fn report(state: &AppState, who: &Principal, q: &ReportQuery) -> AppResult<(Month, super::Report)> {
    who.require(READERS)?;
    let m = q.month(state)?;
    let now = state.clock.now_ts();
    let unit = q.unit.clone();
    Ok((m, db::run(&state.pool, move |c| monthly(c, m, unit.as_deref(), now)).await?))
}

pub fn csv_response(m: Month, report: &super::Report) -> HttpResponse {
    table(report).csv_response(&format!("platsa-{m}"))
}

/// The same as an Excel workbook (figures as numbers).
pub fn xlsx_response(m: Month, report: &super::Report) -> AppResult<HttpResponse> {
    table(report).xlsx_response(&format!("platsa-{m}"), &format!("Månadsrapport {m}"))
}

/// JSON by default; CSV with `Accept: text/csv` (the same figures).
#[utoipa::path(
    tag = "reports",
    summary = "The monthly report per unit and broker; CSV with Accept: text/csv",
    description = "Roles: manager, admin, broker.",
    params(
        ReportQuery,
    ),
    responses(
        (status = 200, description = "OK", body = crate::reports::Report),
    ),
)]
#[get("/api/v1/reports/monthly")]
async fn report_json(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    q: web::Query<ReportQuery>,
) -> AppResult<HttpResponse> {
    let (m, report) = report(&state, &who, &q).await?;
    let wants_csv =
        req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/csv"));
    Ok(if wants_csv { csv_response(m, &report) } else { HttpResponse::Ok().json(report) })
}

/// The same as CSV, for a download link.
#[utoipa::path(
    tag = "reports",
    summary = "The monthly report as CSV",
    description = "Roles: manager, admin, broker.",
    params(
        ReportQuery,
    ),
    responses(
        (status = 200, description = "OK", body = String, content_type = "text/csv"),
    ),
)]
#[get("/api/v1/reports/monthly.csv")]
async fn report_csv(state: web::Data<AppState>, who: Principal, q: web::Query<ReportQuery>) -> AppResult<HttpResponse> {
    let (m, report) = report(&state, &who, &q).await?;
    Ok(csv_response(m, &report))
}

/// The same as an Excel workbook, for a download link.
#[utoipa::path(
    tag = "reports",
    summary = "The monthly report as an Excel workbook (.xlsx)",
    description = "Roles: manager, admin, broker.",
    params(
        ReportQuery,
    ),
    responses(
        (status = 200, description = "OK", body = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ),
)]
#[get("/api/v1/reports/monthly.xlsx")]
async fn report_xlsx(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<ReportQuery>,
) -> AppResult<HttpResponse> {
    let (m, report) = report(&state, &who, &q).await?;
    xlsx_response(m, &report)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DeliveryQuery {
    month: Option<String>,
}

/// The record of every push of the figures.
#[utoipa::path(
    tag = "reports",
    summary = "Every push of the figures to the process-metrics endpoint",
    description = "Roles: manager, admin.",
    params(
        DeliveryQuery,
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::reports::push::Delivery>),
    ),
)]
#[get("/api/v1/reports/deliveries")]
async fn deliveries(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<DeliveryQuery>,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Manager, Role::Admin])?;
    if let Some(m) = &q.month {
        month(m, "month")?;
    }
    let items = super::push::list(&state.pool, q.month.clone()).await?;
    let total = items.len() as i64;
    Ok(HttpResponse::Ok().json(crate::http::Page::new(items, total, total.max(1), 0)))
}
