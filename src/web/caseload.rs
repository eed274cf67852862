//! "Mina arbetssökande" (`/seekers?mine=1`): the signed-in broker's caseload, all of it, page
//! by page, sortable by waited days, last contact, next contact, status or name; and as a
//! spreadsheet (`/seekers/mine.csv`). Every person listed is an audited read.

use actix_web::{HttpRequest, HttpResponse, get, http::header, web};
use maud::html;
use serde::Deserialize;

use super::kit::pager;
use super::labels::Label;
use super::layout::{self, date, days_ago, municipality, name, occupation};
use super::{Staff, WebResult};
use crate::caseload::{self, Assigned, Sort};
use crate::clock::format_ts;
use crate::db;
use crate::seekers::SeekerStatus;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(csv);
}

const PAGE: usize = 20;

#[derive(Deserialize, Default)]
pub struct CaseloadQuery {
    sort: Option<String>,
    status: Option<String>,
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
            a href="/seekers" { "Visa alla" } " · " (total) " personer · "
            a href=(format!("/seekers/mine.csv?status={}&sort={}", status, sort.as_str())) download { "Ladda ner (Excel)" }
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
        div.scroll {
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

/// The whole caseload as a spreadsheet for Swedish Excel (personal data: audited).
#[get("/seekers/mine.csv")]
async fn csv(state: web::Data<AppState>, staff: Staff, q: web::Query<CaseloadQuery>) -> WebResult {
    staff.require(crate::auth::Role::CASEWORK)?;
    let (items, _) = load(&state, &staff, &q, None).await?;
    let now = state.clock.now_ts();
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|a| {
            let s = &a.seeker;
            vec![
                s.first_name.clone().unwrap_or_default(),
                s.last_name.clone().unwrap_or_default(),
                s.personnummer.as_deref().unwrap_or_default().to_string(),
                s.status.label().to_string(),
                s.occupations.iter().map(|o| occupation(o)).collect::<Vec<_>>().join(", "),
                municipality(&s.municipality_code),
                ((now - a.waiting_since).max(0) / 86_400).to_string(),
                a.last_contact_at.map(|t| format_ts(t)[..10].to_string()).unwrap_or_default(),
                a.next_contact_on.as_deref().unwrap_or_default().to_string(),
                s.phone.clone().unwrap_or_default(),
                s.email.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let header = [
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
    ];
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"mina-arbetssokande.csv\""))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(crate::export::excel_csv(&header, &rows)))
}
