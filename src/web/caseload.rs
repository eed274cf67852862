//! "Mina arbetssökande" (`/seekers?mine=1`): the signed-in broker's caseload, all of it, page
//! by page, sortable by waited days, last contact, next contact, status or name; and as a
//! spreadsheet (`/seekers/mine.xlsx`, `/seekers/mine.csv`). Every person listed is an audited read.

use actix_web::{HttpRequest, get, web};
use maud::html;
use serde::Deserialize;

use super::kit::pager;
use super::labels::Label;
use super::layout::{self, date, days_ago, municipality, name, occupation};
use super::{Staff, WebError, WebResult};
use crate::caseload::{self, Assigned, Sort};
use crate::clock::format_ts;
use crate::db;
use crate::export::{Cell, Table};
use crate::seekers::SeekerStatus;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(csv).service(xlsx);
}

const PAGE: usize = 20;

#[derive(Deserialize, Default)]
pub struct CaseloadQuery {
    sort: Option<String>,
    status: Option<String>,
    #[serde(default, deserialize_with = "crate::http::blank_as_none")]
    offset: Option<i64>,
}

impl CaseloadQuery {
    fn sort(&self) -> Sort {
        self.sort.as_deref().and_then(Sort::parse).unwrap_or_default()
    }

    fn status(&self) -> Option<SeekerStatus> {
        self.status.as_deref().and_then(SeekerStatus::parse)
    }
}

async fn load(
    state: &AppState,
    staff: &Staff,
    q: &CaseloadQuery,
    page: Option<(usize, usize)>,
) -> Result<(Vec<Assigned>, usize), crate::error::AppError> {
    let (who, action, now) = (staff.who.clone(), staff.action.clone(), state.clock.now_ts());
    let (sort, status) = (q.sort(), q.status());
    db::run(&state.pool, move |c| {
        db::write_tx(c, |c| {
            let all = caseload::assigned(c, &who.user_id, status, sort)?;
            let total = all.len();
            let shown: Vec<Assigned> = match page {
                Some((offset, limit)) => all.into_iter().skip(offset).take(limit).collect(),
                None => all,
            };
            let ids: Vec<String> = shown.iter().map(|a| a.seeker.id.clone()).collect();
            crate::privacy::shown(c, &who, &ids, &action, now)?;
            Ok((shown, total))
        })
    })
    .await
}

/// The caseload page; `/seekers?mine=1` without a search lands here.
pub async fn page(state: &AppState, staff: &Staff, req: &HttpRequest) -> WebResult {
    let q = web::Query::<CaseloadQuery>::from_query(req.query_string()).map(|q| q.into_inner()).unwrap_or_default();
    let offset = q.offset.unwrap_or(0).max(0) as usize;
    let (items, total) = load(state, staff, &q, Some((offset, PAGE))).await?;
    let now = state.clock.now_ts();
    let sort = q.sort();
    let status = q.status.clone().unwrap_or_default();
    let link = |s: Sort| format!("/seekers?mine=1&status={}&sort={}", status, s.as_str());
    let rest = format!("mine=1&status={}&sort={}", status, sort.as_str());
    let can_send = !staff.csrf.is_empty() && crate::auth::Role::CASEWORK.contains(&staff.who.role);
    let body = html! {
        h1 { "Mina arbetssökande" }
        p.muted {
            a href="/seekers" { "Visa alla" } " · " (crate::labels::count(total as i64, "person", "personer")) " · "
            a href=(format!("/seekers/mine.xlsx?status={}&sort={}", status, sort.as_str())) download { "Ladda ner (Excel)" }
            " · "
            a href=(format!("/seekers/mine.csv?status={}&sort={}", status, sort.as_str())) download { "Ladda ner (CSV)" }
            " · " a href="/seekers/new" { "Registrera arbetssökande" }
        }
        form.filters method="get" action="/seekers" {
            input type="hidden" name="mine" value="1";
            input type="hidden" name="sort" value=(sort.as_str());
            label { "Status "
                select name="status" {
                    option value="" { "Alla" }
                    @for s in SeekerStatus::ALL { option value=(s.as_str()) selected[status == s.as_str()] { (s.label()) } }
                }
            }
            label { "Sök namn eller personnummer " input type="search" name="q"; }
            button type="submit" { "Visa" }
        }
        p.sorting { "Sortera: "
            @for s in Sort::ALL {
                @if *s == sort { strong { (s.label()) } } @else { a href=(link(*s)) { (s.label()) } }
                " "
            }
        }
        div.scroll tabindex="0" role="region" aria-label="Mina arbetssökande" {
            table.results.caseload {
                thead { tr { th { "Namn" } th { "Status" } th { "Yrke" } th { "Kommun" } th { "Väntat" } th { "Senaste kontakt" } th { "Nästa kontakt" } } }
                tbody {
                    @for a in &items {
                        @let s = &a.seeker;
                        tr {
                            td {
                                @if can_send {
                                    input.pick type="checkbox" name="seeker_ids" value=(s.id) form="utskick-mina" aria-label=(format!("Välj {} för utskick", name(&s.first_name, &s.last_name)));
                                    " "
                                }
                                a href=(format!("/seekers/{}", s.id)) { (name(&s.first_name, &s.last_name)) }
                            }
                            td { (s.status.label()) }
                            td { (s.occupations.iter().map(|o| occupation(o)).collect::<Vec<_>>().join(", ")) }
                            td { (municipality(&s.municipality_code)) }
                            td { (days_ago(a.waiting_since, now)) }
                            td { (a.last_contact_at.map(|t| date(&format_ts(t))).unwrap_or_else(|| "–".into())) }
                            td { (a.next_contact_on.as_deref().map(date).unwrap_or_else(|| "–".into())) }
                        }
                    }
                }
            }
        }
        @if items.is_empty() { p.muted { "Ingen är tilldelad dig med det här urvalet." } }
        (pager("/seekers", &rest, offset as i64, items.len(), total as i64))
        @if can_send && !items.is_empty() { (super::messages::bulk_form("utskick-mina", "/utskick", &staff.csrf)) }
    };
    super::ok(layout::page("Mina arbetssökande", &staff.chrome(), body))
}

/// The whole caseload as a table for Swedish Excel: personnummer and phone as text, the
/// days waited as a number, contacts as dates.
async fn caseload_table(state: &web::Data<AppState>, staff: &Staff, q: &CaseloadQuery) -> Result<Table, WebError> {
    staff.require(crate::auth::Role::CASEWORK)?;
    let (items, _) = load(state, staff, q, None).await?;
    let now = state.clock.now_ts();
    let mut table = Table::new(&[
        "Förnamn",
        "Efternamn",
        "Personnummer",
        "Status",
        "Yrke",
        "Kommun",
        "Väntat dagar",
        "Senaste kontakt",
        "Nästa kontakt",
        "Telefon",
        "E-post",
    ]);
    table.rows = items
        .iter()
        .map(|a| {
            let s = &a.seeker;
            vec![
                Cell::from(s.first_name.clone()),
                Cell::from(s.last_name.clone()),
                Cell::from(s.personnummer.as_deref().unwrap_or_default()),
                Cell::from(s.status.label()),
                Cell::from(s.occupations.iter().map(|o| occupation(o)).collect::<Vec<_>>().join(", ")),
                Cell::from(municipality(&s.municipality_code)),
                Cell::Int((now - a.waiting_since).max(0) / 86_400),
                Cell::date_text(a.last_contact_at.map(format_ts).as_deref()),
                Cell::date_text(a.next_contact_on.as_deref()),
                Cell::from(s.phone.clone()),
                Cell::from(s.email.clone()),
            ]
        })
        .collect();
    Ok(table)
}

/// The whole caseload as CSV for Swedish Excel (personal data: audited).
#[get("/seekers/mine.csv")]
async fn csv(state: web::Data<AppState>, staff: Staff, q: web::Query<CaseloadQuery>) -> WebResult {
    let table = caseload_table(&state, &staff, &q).await?;
    Ok(table.csv_response("mina-arbetssokande"))
}

/// The same as an Excel workbook: leading zeros and long numbers stay as written.
#[get("/seekers/mine.xlsx")]
async fn xlsx(state: web::Data<AppState>, staff: Staff, q: web::Query<CaseloadQuery>) -> WebResult {
    let table = caseload_table(&state, &staff, &q).await?;
    Ok(table.xlsx_response("mina-arbetssokande", "Mina arbetssökande")?)
}
