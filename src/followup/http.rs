use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use serde::Deserialize;

use super::{FollowUp, follow_up, table, year};
use crate::auth::{Principal, Role};
use crate::clock::Month;
use crate::db;
use crate::error::{AppError, AppResult, Fault};
use crate::state::AppState;

crate::api_handlers!(follow_up_csv, follow_up_xlsx, follow_up_json);

pub const READERS: &[Role] = &[Role::Manager, Role::Admin, Role::Broker];

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowUpQuery {
    pub exit_month: Option<String>,
    pub year: Option<String>,
    pub unit: Option<String>,
}

impl FollowUpQuery {
    /// One exit month, or a year's twelve (the previous year by default: its 12-month
    /// horizon is the one the board asks about).
    pub fn months(&self, today: chrono::NaiveDate) -> AppResult<Vec<Month>> {
        let exit_month = self.exit_month.as_deref().filter(|s| !s.trim().is_empty());
        let y = self.year.as_deref().filter(|s| !s.trim().is_empty());
        match (exit_month, y) {
            (Some(_), Some(_)) => {
                Err(AppError::field("year", Fault::NotApplicable, "give exit_month or year, not both"))
            }
            (Some(m), None) => Month::parse(m)
                .map(|m| vec![m])
                .ok_or_else(|| AppError::field("exit_month", Fault::Format, "must be a month, YYYY-MM")),
            (None, Some(y)) => y
                .trim()
                .parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .map(year)
                .ok_or_else(|| AppError::field("year", Fault::Format, "must be a year, YYYY")),
            (None, None) => Ok(year(chrono::Datelike::year(&today) - 1)),
        }
    }
}

pub async fn load(state: &AppState, who: &Principal, q: &FollowUpQuery) -> AppResult<FollowUp> {
    who.require(READERS)?;
    let today = state.clock.today();
    let months = q.months(today)?;
    let unit = q.unit.clone().filter(|u| !u.is_empty());
    db::run(&state.pool, move |c| follow_up(c, &months, unit.as_deref(), today)).await
}

fn file_name(f: &FollowUp) -> String {
    format!("platsa-uppfoljning-{}", f.cohorts.first().map(|c| c.exit_month.as_str()).unwrap_or_default())
}

pub fn csv_response(f: &FollowUp) -> HttpResponse {
    table(f).csv_response(&file_name(f))
}

/// The same as an Excel workbook (counts and shares as numbers).
pub fn xlsx_response(f: &FollowUp) -> AppResult<HttpResponse> {
    table(f).xlsx_response(&file_name(f), "Uppföljning")
}

/// JSON by default; CSV with `Accept: text/csv`.
#[utoipa::path(
    tag = "reports",
    summary = "Whether people who left for work or studies applied again within 3, 6 and 12 months, per exit month; CSV with Accept: text/csv",
    description = "Roles: manager, admin, broker.",
    params(
        FollowUpQuery,
    ),
    responses(
        (status = 200, description = "OK", body = crate::followup::FollowUp),
    ),
)]
#[get("/api/v1/reports/follow-up")]
async fn follow_up_json(
    state: web::Data<AppState>,
    who: Principal,
    req: HttpRequest,
    q: web::Query<FollowUpQuery>,
) -> AppResult<HttpResponse> {
    let f = load(&state, &who, &q).await?;
    let wants_csv =
        req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/csv"));
    Ok(if wants_csv { csv_response(&f) } else { HttpResponse::Ok().json(f) })
}

#[utoipa::path(
    tag = "reports",
    summary = "The follow-up as CSV",
    description = "Roles: manager, admin, broker.",
    params(
        FollowUpQuery,
    ),
    responses(
        (status = 200, description = "OK", body = String, content_type = "text/csv"),
    ),
)]
#[get("/api/v1/reports/follow-up.csv")]
async fn follow_up_csv(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<FollowUpQuery>,
) -> AppResult<HttpResponse> {
    Ok(csv_response(&load(&state, &who, &q).await?))
}

#[utoipa::path(
    tag = "reports",
    summary = "The follow-up as an Excel workbook (.xlsx)",
    description = "Roles: manager, admin, broker.",
    params(
        FollowUpQuery,
    ),
    responses(
        (status = 200, description = "OK", body = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ),
)]
#[get("/api/v1/reports/follow-up.xlsx")]
async fn follow_up_xlsx(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<FollowUpQuery>,
) -> AppResult<HttpResponse> {
    xlsx_response(&load(&state, &who, &q).await?)
}
