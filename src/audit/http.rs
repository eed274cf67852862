//! The audit log's route, and the extractor that names the route a read came through.

use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload, get, web};
use serde::Deserialize;

use super::{Action, AuditFilter, list};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Fault};
use crate::http::Paging;
use crate::state::AppState;

impl FromRequest for Action {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(stated_reason(req).map(|reason| action_of(req).with_reason(reason)))
    }
}

/// The reason in `X-Access-Reason` (UTF-8; Swedish letters as they are), checked.
fn stated_reason(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = req.headers().get(super::REASON_HEADER) else { return Ok(None) };
    let text = std::str::from_utf8(value.as_bytes())
        .map_err(|_| AppError::field(super::REASON_HEADER, Fault::Format, "must be UTF-8 text"))?;
    // A header sent empty states no reason: that is a mistake, not "none".
    match super::reason(text, super::REASON_HEADER)? {
        None => Err(AppError::field(super::REASON_HEADER, Fault::Length, "must be 3 to 300 characters")),
        reason => Ok(reason),
    }
}

/// The route a request matched, as an audit action.
pub fn action_of(req: &HttpRequest) -> Action {
    let pattern = req.match_pattern().unwrap_or_else(|| "(unmatched)".into());
    Action::named(format!("{} {pattern}", req.method()))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    seeker_id: Option<String>,
    user_id: Option<String>,
    /// First day, `YYYY-MM-DD` (Stockholm).
    from: Option<String>,
    /// Last day, included.
    to: Option<String>,
    /// Only reads with a stated reason (people of another unit).
    #[serde(default)]
    with_reason: bool,
}

impl AuditQuery {
    fn filter(self) -> AppResult<AuditFilter> {
        for (name, v) in [("seeker_id", &self.seeker_id), ("user_id", &self.user_id)] {
            if v.as_deref().is_some_and(str::is_empty) {
                return Err(AppError::field(name, Fault::Required, "must not be empty"));
            }
        }
        let day = crate::http::optional_day;
        let (from, to) = (day(&self.from, "from")?, day(&self.to, "to")?);
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            return Err(AppError::field("to", Fault::Order, "is before from"));
        }
        Ok(AuditFilter {
            user_id: self.user_id,
            seeker_id: self.seeker_id,
            from: from.map(crate::clock::start_of_day_ts),
            to: to.map(|t| crate::clock::start_of_day_ts(t + chrono::Days::new(1))),
            with_reason: self.with_reason,
        })
    }
}

crate::api_handlers!(show, export, export_xlsx);

#[utoipa::path(
    tag = "audit",
    summary = "Who read which seeker, when, through which endpoint (an application not yet linked: application:{id})",
    description = "Roles: admin.",
    params(
        AuditQuery,
        crate::http::Paging,
    ),
    responses(
        (status = 200, description = "OK", body = crate::http::Page<crate::audit::AuditEntry>),
    ),
)]
#[get("/api/v1/audit")]
async fn show(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<AuditQuery>,
    paging: Paging,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let filter = q.into_inner().filter()?;
    let (limit, offset) = paging.pair();
    let (items, total) = db::run(&state.pool, move |c| list(c, &filter, limit, offset)).await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}

/// The rows for the log review (up to 100 000), as a table for Swedish Excel.
async fn review_table(state: &AppState, who: &Principal, q: AuditQuery) -> AppResult<crate::export::Table> {
    use crate::export::{Cell, Table};
    who.require(&[Role::Admin])?;
    let filter = q.filter()?;
    let (items, names) = db::run(&state.pool, move |c| {
        let (items, _) = list(c, &filter, 100_000, 0)?;
        let ids: Vec<String> = items.iter().map(|e| e.user_id.clone()).collect();
        Ok((items, super::user_names(c, &ids)?))
    })
    .await?;
    let mut table = Table::new(&["Tidpunkt", "Användare", "Roll", "Arbetssökande", "Åtgärd", "Skäl"]);
    table.rows = items
        .iter()
        .map(|e| {
            vec![
                Cell::from(crate::clock::format_ts(e.at)),
                Cell::from(if e.user_id == crate::audit::SYSTEM_USER {
                    "Gallring (automatisk)".to_string()
                } else if e.user_id == crate::audit::SELF_USER {
                    "Personen själv (Mina sidor)".to_string()
                } else {
                    names.get(&e.user_id).cloned().unwrap_or_else(|| e.user_id.clone())
                }),
                Cell::from(crate::labels::Label::label(e.role)),
                Cell::from(e.seeker_id.as_str()),
                Cell::from(e.action.as_str()),
                Cell::from(e.reason.clone()),
            ]
        })
        .collect();
    Ok(table)
}

/// The same rows for the monthly log review in Swedish Excel (up to 100 000).
#[utoipa::path(
    tag = "audit.csv",
    summary = "The same rows for the log review, for Swedish Excel (BOM, ';', Swedish headers)",
    description = "Roles: admin.",
    params(
        AuditQuery,
    ),
    responses(
        (status = 200, description = "OK", body = String, content_type = "text/csv"),
    ),
)]
#[get("/api/v1/audit.csv")]
async fn export(state: web::Data<AppState>, who: Principal, q: web::Query<AuditQuery>) -> AppResult<HttpResponse> {
    Ok(review_table(&state, &who, q.into_inner()).await?.csv_response("granskningslogg"))
}

/// The same as an Excel workbook.
#[utoipa::path(
    tag = "audit.csv",
    summary = "The same rows for the log review as an Excel workbook (.xlsx)",
    description = "Roles: admin.",
    params(
        AuditQuery,
    ),
    responses(
        (status = 200, description = "OK", body = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ),
)]
#[get("/api/v1/audit.xlsx")]
async fn export_xlsx(state: web::Data<AppState>, who: Principal, q: web::Query<AuditQuery>) -> AppResult<HttpResponse> {
    review_table(&state, &who, q.into_inner()).await?.xlsx_response("granskningslogg", "Granskningslogg")
}
