//! The ranking log's review for admins: JSON and a CSV for Swedish Excel.

use actix_web::{HttpResponse, get, web};
use serde::Deserialize;

use super::{Filter, list};
use crate::auth::{Principal, Role};
use crate::db;
use crate::error::{AppError, AppResult, Fault};
use crate::http::Paging;
use crate::state::AppState;

crate::api_handlers!(show, export, export_xlsx);

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct LogQuery {
    /// Lists of this opening (candidates), or openings lists that held it.
    opening_id: Option<String>,
    /// Lists this person was on, or that were made for them.
    seeker_id: Option<String>,
    /// First day, `YYYY-MM-DD` (Stockholm).
    from: Option<String>,
    /// Last day, included.
    to: Option<String>,
}

impl LogQuery {
    fn filter(self) -> AppResult<Filter> {
        let blank = |v: Option<String>, field: &str| -> AppResult<Option<String>> {
            match v.map(|s| s.trim().to_string()) {
                Some(s) if s.is_empty() => Err(AppError::field(field, Fault::Required, "must not be empty")),
                v => Ok(v),
            }
        };
        let day = crate::http::optional_day;
        let (from, to) = (day(&self.from, "from")?, day(&self.to, "to")?);
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            return Err(AppError::field("to", Fault::Order, "is before from"));
        }
        Ok(Filter {
            opening_id: blank(self.opening_id, "opening_id")?,
            seeker_id: blank(self.seeker_id, "seeker_id")?,
            from,
            to,
        })
    }
}

#[utoipa::path(
    tag = "accountability",
    summary = "Every ranked list served (candidates for an opening, openings for a person): when, who, the ranking version, the filters, the total and the ids and scores shown",
    description = "Roles: admin. Kept accountability.log_months (at least six).",
    params(LogQuery, crate::http::Paging),
    responses((status = 200, description = "OK", body = crate::http::Page<super::Entry>)),
)]
#[get("/api/v1/ranking-log")]
async fn show(
    state: web::Data<AppState>,
    who: Principal,
    q: web::Query<LogQuery>,
    paging: Paging,
) -> AppResult<HttpResponse> {
    who.require(&[Role::Admin])?;
    let filter = q.into_inner().filter()?;
    let (limit, offset) = paging.pair();
    let (items, total) = db::run(&state.pool, move |c| list(c, &filter, limit, offset)).await?;
    Ok(HttpResponse::Ok().json(paging.page(items, total)))
}

/// One CSV row per shown item (a list with nothing on it: one row without an item), up to
/// 10 000 lists.
/// The log as a table for Swedish Excel: one row per list and shown item.
async fn log_table(state: &AppState, who: &Principal, q: LogQuery) -> AppResult<crate::export::Table> {
    use crate::export::{Cell, Table};
    who.require(&[Role::Admin])?;
    let filter = q.filter()?;
    let (items, _) = db::run(&state.pool, move |c| list(c, &filter, 10_000, 0)).await?;
    let mut table = Table::new(&[
        "Tidpunkt",
        "Lista",
        "Användare",
        "Roll",
        "Slag",
        "Väg",
        "Annons",
        "Arbetssökande (listan gjord för)",
        "Rankningsversion",
        "Filter",
        "Totalt",
        "Plats",
        "Visad",
        "Poäng",
    ]);
    for e in &items {
        let base = |rank: Cell, item: Cell, score: Cell| {
            vec![
                Cell::from(crate::clock::format_ts(e.at)),
                Cell::from(e.id.as_str()),
                Cell::from(e.user_id.as_str()),
                Cell::from(e.role.as_str()),
                Cell::from(crate::labels::Label::label(e.list)),
                Cell::from(e.route.as_str()),
                Cell::from(e.opening_id.clone()),
                Cell::from(e.seeker_id.clone()),
                Cell::from(e.version.as_str()),
                if e.filters.as_object().is_some_and(|m| !m.is_empty()) {
                    Cell::from(e.filters.to_string())
                } else {
                    Cell::Empty
                },
                Cell::from(e.total),
                rank,
                item,
                score,
            ]
        };
        if e.shown.is_empty() {
            table.rows.push(base(Cell::Empty, Cell::Empty, Cell::Empty));
        }
        for s in &e.shown {
            let item = s.seeker_id.clone().or_else(|| s.opening_id.clone()).unwrap_or_else(|| "(raderad)".into());
            table.rows.push(base(Cell::from(s.rank), Cell::from(item), Cell::Decimal(s.score, 4)));
        }
    }
    Ok(table)
}

#[utoipa::path(
    tag = "accountability",
    summary = "The ranking log for Swedish Excel (BOM, ';', decimal comma): one row per list and shown item",
    description = "Roles: admin.",
    params(LogQuery),
    responses((status = 200, description = "OK", body = String, content_type = "text/csv")),
)]
#[get("/api/v1/ranking-log.csv")]
async fn export(state: web::Data<AppState>, who: Principal, q: web::Query<LogQuery>) -> AppResult<HttpResponse> {
    Ok(log_table(&state, &who, q.into_inner()).await?.csv_response("rankningslogg"))
}

#[utoipa::path(
    tag = "accountability",
    summary = "The ranking log as an Excel workbook (.xlsx)",
    description = "Roles: admin.",
    params(LogQuery),
    responses((status = 200, description = "OK", body = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
)]
#[get("/api/v1/ranking-log.xlsx")]
async fn export_xlsx(state: web::Data<AppState>, who: Principal, q: web::Query<LogQuery>) -> AppResult<HttpResponse> {
    log_table(&state, &who, q.into_inner()).await?.xlsx_response("rankningslogg", "Rankningslogg")
}

// The Swedish words for the kinds of list (pages, CSV).
impl crate::labels::Label for super::ListKind {
    fn label(self) -> &'static str {
        match self {
            super::ListKind::Candidates => "Kandidater till annons",
            super::ListKind::Openings => "Annonser för person",
        }
    }
}
