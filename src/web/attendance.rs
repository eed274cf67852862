//! The attendance register (`/attendance`): a coordinator picks an activity (its kind and
//! title, e.g. "SFI kurs C") and a week, and records each participant's days as present,
//! valid or invalid absence with hours. Each change is saved at once by the page's script
//! (the same form posted, so it also works without script, with "Spara").

use actix_web::{get, post, web};
use chrono::{Datelike, Days, NaiveDate};
use maud::html;
use serde::Deserialize;

use super::kit::{Flash, flash};
use super::labels::Label;
use super::layout::{self, date, name};
use super::plan::hours;
use super::session::Staff;
use super::{WebResult, see_other, urlencode};
use crate::auth::Role;
use crate::db;
use crate::error::{AppError, Fault};
use crate::plan::{ActivityKind, AttendanceRow, AttendanceState, service};
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show).service(save);
}

#[derive(Deserialize, Default)]
struct WeekQuery {
    /// `kind:title` of the activity.
    grupp: Option<String>,
    /// Any day of the week (its Monday is used).
    vecka: Option<String>,
    sparat: Option<String>,
}

fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Days::new(u64::from(d.weekday().num_days_from_monday()))
}

fn group_of(raw: &str) -> Option<(ActivityKind, String)> {
    let (kind, title) = raw.split_once(':')?;
    Some((ActivityKind::parse(kind)?, title.to_string()))
}

fn week_link(group: &str, monday: NaiveDate) -> String {
    format!("/attendance?grupp={}&vecka={monday}", urlencode(group))
}

#[get("/attendance")]
async fn show(state: web::Data<AppState>, staff: Staff, q: web::Query<WeekQuery>) -> WebResult {
    let message = q.sparat.as_ref().map(|_| Flash::Done("Närvaron är sparad.".into()));
    week_page(&state, &staff, &q, message).await
}

async fn week_page(state: &AppState, staff: &Staff, q: &WeekQuery, message: Option<Flash>) -> WebResult {
    staff.require(Role::CASEWORK)?;
    let today = state.clock.today();
    let monday = monday_of(q.vecka.as_deref().and_then(|v| v.parse().ok()).unwrap_or(today));
    let days: Vec<NaiveDate> = monday.iter_days().take(7).collect();
    let chosen = q.grupp.as_deref().and_then(group_of);
    let reader = staff.reader(&state.clock);
    let picked = chosen.clone();
    let (groups, week) = db::run(&state.pool, move |c| {
        let groups = service::groups(c, monday)?;
        let week = match picked {
            Some((kind, title)) => Some(service::group_week(c, &reader, kind, &title, monday)?),
            None => None,
        };
        Ok((groups, week))
    })
    .await?;
    let group_key = chosen.as_ref().map(|(k, t)| format!("{}:{t}", k.as_str())).unwrap_or_default();
    // Weekend columns only when some participant has weekend days.
    let shown: Vec<NaiveDate> = days
        .iter()
        .copied()
        .filter(|d| {
            d.weekday().number_from_monday() <= 5
                || week.as_ref().is_some_and(|w| w.activities.iter().any(|a| a.takes_place(*d)))
        })
        .collect();
    let week_no = monday.iso_week().week();
    let can_write = !staff.csrf.is_empty();
    let body = html! {
        (flash(&message))
        h1 { "Närvaro" }
        form.filters method="get" action="/attendance" {
            label { "Aktivitet"
                select name="grupp" {
                    option value="" { "Välj aktivitet" }
                    @for (kind, title, n) in &groups {
                        @let key = format!("{}:{title}", kind.as_str());
                        option value=(key) selected[key == group_key] { (title) " (" (kind.label()) ", " (n) " deltagare)" }
                    }
                }
            }
            label { "Vecka" input type="date" name="vecka" value=(monday.to_string()); }
            button type="submit" { "Visa" }
        }
        @if groups.is_empty() { p.muted { "Inga aktiviteter pågår vecka " (week_no) "." } }
        p { a href=(week_link(&group_key, monday - Days::new(7))) { "← Föregående vecka" } " · "
            strong { "Vecka " (week_no) } " · "
            a href=(week_link(&group_key, monday + Days::new(7))) { "Nästa vecka →" } }
        @if let (Some(w), Some((kind, title))) = (&week, &chosen) {
            h2 { (title) span.muted { " – " (kind.label()) } }
            @if w.activities.is_empty() { p.muted { "Ingen deltar denna vecka." } }
            @else {
                form.attendance-week method="post" action="/attendance" data-autosave="1" {
                    input type="hidden" name="csrf" value=(staff.csrf);
                    input type="hidden" name="grupp" value=(group_key);
                    input type="hidden" name="vecka" value=(monday.to_string());
                    div.table-scroll {
                        table.attendance-grid {
                            thead { tr { th scope="col" { "Deltagare" }
                                @for d in &shown { th scope="col" { (weekday(*d)) " " (d.day()) "/" (d.month()) } } } }
                            tbody {
                                @for a in &w.activities {
                                    @let (first, last) = w.names.get(&a.seeker_id).cloned().unwrap_or_default();
                                    tr {
                                        th scope="row" { a href=(format!("/seekers/{}/plan", a.seeker_id)) { (name(&first, &last)) } }
                                        @for d in &shown {
                                            @let recorded = w.recorded.iter().find(|r| r.activity_id == a.id && r.date.date() == *d);
                                            td {
                                                @if a.takes_place(*d) && *d <= today && can_write {
                                                    @let label = format!("{} {}", name(&first, &last), date(&d.to_string()));
                                                    select name=(format!("s:{}:{d}", a.id)) aria-label=(format!("Närvaro {label}")) {
                                                        option value="" { "–" }
                                                        @for &s in AttendanceState::ALL {
                                                            option value=(s.as_str()) selected[recorded.is_some_and(|r| r.state == s)] { (s.label()) }
                                                        }
                                                    }
                                                    input.hours type="text" inputmode="decimal" size="3" name=(format!("h:{}:{d}", a.id))
                                                        aria-label=(format!("Timmar {label}"))
                                                        placeholder=(hours(a.fields.hours_per_day()))
                                                        value=(recorded.map(|r| hours(r.hours)).unwrap_or_default());
                                                } @else if let Some(r) = recorded {
                                                    (r.state.label()) " " (hours(r.hours))
                                                } @else if a.takes_place(*d) {
                                                    span.muted { "–" }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if can_write {
                        p { button type="submit" { "Spara" } " " span.muted data-autosave-status="1" aria-live="polite" {} }
                    }
                }
            }
        }
        p.muted { "Timmar lämnas tomma: aktivitetens timmar för dagen. Närvaro kan inte registreras för kommande dagar eller utanför aktivitetens period." }
    };
    super::ok(layout::page("Närvaro", &staff.chrome(), body))
}

fn weekday(d: NaiveDate) -> &'static str {
    ["mån", "tis", "ons", "tors", "fre", "lör", "sön"][d.weekday().num_days_from_monday() as usize]
}

/// The week as posted: every cell with a state becomes a row; all are saved together.
#[post("/attendance")]
async fn save(state: web::Data<AppState>, staff: Staff, form: web::Form<Vec<(String, String)>>) -> WebResult {
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    staff.check(&field("csrf"))?;
    staff.require(Role::CASEWORK)?;
    let q = WeekQuery { grupp: Some(field("grupp")), vecka: Some(field("vecka")), sparat: None };
    let mut rows = Vec::new();
    let mut problem = None;
    for (key, value) in form.iter() {
        let Some(cell) = key.strip_prefix("s:") else { continue };
        let Some(state_) = AttendanceState::parse(value.trim()) else { continue };
        let Some((activity, day)) = cell.rsplit_once(':') else { continue };
        let Ok(date) = day.parse::<NaiveDate>() else { continue };
        let typed = field(&format!("h:{cell}"));
        let hours = match typed.trim() {
            "" => None,
            t => match t.replace(',', ".").parse::<f64>() {
                Ok(h) => Some(h),
                Err(_) => {
                    problem = Some(AppError::field("hours", Fault::Format, "timmar ska vara ett tal"));
                    None
                }
            },
        };
        rows.push(AttendanceRow { activity_id: activity.to_string(), date, state: state_, hours, note: None });
    }
    let result = match problem {
        Some(e) => Err(e),
        None if rows.is_empty() => Ok(()),
        None => {
            let reader = staff.reader(&state.clock);
            db::run(&state.pool, move |c| service::record_many(c, &reader, &rows)).await.map(|_| ())
        }
    };
    match result {
        Ok(()) => {
            let monday = q.vecka.as_deref().unwrap_or_default();
            Ok(see_other(&format!("/attendance?grupp={}&vecka={monday}&sparat=1", urlencode(&field("grupp")))))
        }
        Err(e @ (AppError::Validation(_) | AppError::ReasonRequired)) => {
            let text = format!("Det gick inte att spara. {}", super::labels::app_error(&e).1);
            week_page(&state, &staff, &q, Some(Flash::Failed(text))).await
        }
        Err(e) => Err(e.into()),
    }
}
